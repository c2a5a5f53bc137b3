// Committed consumer positions: group -> (stream, partition) -> offset with metadata.
// Kafka consumer groups use it; so can any front-end that tracks a reader's position.

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
  committedAt: number;
  /** Leader epoch or similar front-end detail, kept as given. */
  epoch: number;
}

/** Told about every committed-offset change after it happens (a durable store records it). */
export interface OffsetObserver {
  committed(group: string, stream: string, partition: number, value: CommittedOffset): void;
  deleted(group: string, stream: string, partition: number): void;
}

export class OffsetStore {
  private groups = new Map<string, Map<string, CommittedOffset>>();
  /** Set by a front-end that persists offsets; unset in memory mode. */
  observer: OffsetObserver | undefined = undefined;

  private static key(stream: string, partition: number): string {
    return `${stream}\u0000${partition}`;
  }

  commit(group: string, stream: string, partition: number, value: CommittedOffset): void {
    let g = this.groups.get(group);
    if (!g) {
      g = new Map();
      this.groups.set(group, g);
    }
    g.set(OffsetStore.key(stream, partition), value);
    this.observer?.committed(group, stream, partition, value);
  }

  get(group: string, stream: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(OffsetStore.key(stream, partition));
  }

  delete(group: string, stream: string, partition: number): boolean {
    const removed = this.groups.get(group)?.delete(OffsetStore.key(stream, partition)) ?? false;
    if (removed) this.observer?.deleted(group, stream, partition);
    return removed;
  }

  /** All committed offsets of a group as [stream, partition, offset]. */
  list(group: string): { stream: string; partition: number; value: CommittedOffset }[] {
    const out: { stream: string; partition: number; value: CommittedOffset }[] = [];
    for (const [key, value] of this.groups.get(group) ?? []) {
      const sep = key.lastIndexOf('\u0000');
      out.push({ stream: key.slice(0, sep), partition: Number(key.slice(sep + 1)), value });
    }
    return out;
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  deleteGroup(group: string): boolean {
    if (this.observer) for (const o of this.list(group)) this.observer.deleted(group, o.stream, o.partition);
    return this.groups.delete(group);
  }

  /** Drops every offset of a stream (the topic was deleted). */
  deleteStream(stream: string): void {
    for (const [group, g] of this.groups) {
      for (const key of [...g.keys()]) {
        if (!key.startsWith(`${stream}\u0000`)) continue;
        g.delete(key);
        this.observer?.deleted(group, stream, Number(key.slice(key.lastIndexOf('\u0000') + 1)));
      }
    }
  }
}
