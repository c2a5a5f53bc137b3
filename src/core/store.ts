// The persistence port. The broker runs on in-memory state; a Store is told about state that
// must survive a restart and says when it is durable. MemoryStore is the default (nothing
// survives, everything is "durable" at once). The file-backed engine plugs in here.

export interface Store {
  /** 'memory' keeps nothing across restarts. */
  readonly kind: 'memory' | 'file';
  open(): Promise<void>;
  /** Resolves when everything written so far is durable (group commit point). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  async open(): Promise<void> {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
