// Replies that wait for the disk (--data-dir): a publisher confirm for a persistent message in a
// durable queue or a stream, and tx.commit-ok, are sent once the journal write is durable per
// --fsync (and any pending definitions write, so the queue is known after a crash). They run in
// publish order per channel, so a later confirm never overtakes an earlier one and `multiple`
// acks stay correct. Unused (never allocated) in memory mode.

interface ReplyChannel {
  readonly state: 'open' | 'closing';
  readonly conn: { readonly ctx: { readonly durable?: { readonly saving: Promise<void> | undefined } } };
  confirm(seq: number, ok: boolean): void;
  flushConfirms(): void;
}

export class DurableReplies {
  private chain: Promise<void> | undefined;
  private flushSoon = false;

  constructor(private readonly ch: ReplyChannel) {}

  /** Replies are still waiting: later ones must queue up behind them. */
  get waiting(): boolean {
    return this.chain !== undefined;
  }

  /** Runs `then(ok)` once `waits` are durable (ok false if one failed) and earlier replies ran. */
  when(waits: Promise<void>[], then: (ok: boolean) => void): void {
    const saving = this.ch.conn.ctx.durable?.saving;
    if (saving) waits.push(saving);
    const before = this.chain ?? Promise.resolve();
    const p: Promise<void> = before
      .then(() => Promise.all(waits))
      .then(() => true, () => false)
      .then((ok) => {
        if (this.chain === p) this.chain = undefined;
        if (this.ch.state === 'open') then(ok);
      });
    this.chain = p;
  }

  /** A confirm sent once the message is durable (nack if the disk failed). */
  confirm(seq: number, ok: boolean, waits: Promise<void>[]): void {
    this.when(waits, (durable) => {
      this.ch.confirm(seq, ok && durable);
      if (this.flushSoon) return;
      // Confirms that became durable together go out as one multiple ack.
      this.flushSoon = true;
      process.nextTick(() => {
        this.flushSoon = false;
        this.ch.flushConfirms();
      });
    });
  }
}
