// SCRAM credentials changed at runtime (AlterUserScramCredentials) survive a restart with
// --data-dir: the snapshot "kafka-scram" holds the overlay of runtime changes (a credential
// per user and mechanism, or null for a deletion), replayed over the --config users at
// startup, so users added to the config later still appear while runtime changes win. Like
// Kafka's metadata records, only salt, iterations, StoredKey and ServerKey are written.
import type { FileStore } from '../../core/index.js';
import type { CredentialStore, ScramCredential, ScramMechanism } from './credentials.js';
import { isScram } from './credentials.js';

const SNAPSHOT = 'kafka-scram';

interface Row {
  mechanism: ScramMechanism;
  user: string;
  credential: { salt: string; iterations: number; storedKey: string; serverKey: string } | null;
}

function toRow(mechanism: ScramMechanism, user: string, c: ScramCredential | null): Row {
  return {
    mechanism,
    user,
    credential: c && { salt: c.salt.toString('base64'), iterations: c.iterations, storedKey: c.storedKey.toString('base64'), serverKey: c.serverKey.toString('base64') },
  };
}

function fromRow(row: Row): ScramCredential | null {
  const c = row.credential;
  return c && { salt: Buffer.from(c.salt, 'base64'), iterations: c.iterations, storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64') };
}

/** Replays the stored overlay into `store` and writes every later change through. */
export function persistScram(files: FileStore, store: CredentialStore): void {
  const overlay = new Map<string, Row>();
  const raw = files.readSnapshot(SNAPSHOT);
  if (raw) {
    for (const row of (JSON.parse(raw.toString('utf8')) as { changes: Row[] }).changes) {
      if (!isScram(row.mechanism)) continue;
      overlay.set(`${row.mechanism}\u0000${row.user}`, row);
      store.loadScram(row.mechanism, row.user, fromRow(row));
    }
  }
  let pending: Promise<void> | undefined;
  store.onScramChange = (mechanism, user, credential) => {
    overlay.set(`${mechanism}\u0000${user}`, toRow(mechanism, user, credential));
    const write = files.writeSnapshot(SNAPSHOT, Buffer.from(JSON.stringify({ changes: [...overlay.values()] })));
    const tracked: Promise<void> = write.finally(() => {
      if (pending === tracked) pending = undefined;
    });
    // The AlterUserScramCredentials answer awaits this; a failed write fails that request only.
    tracked.catch(() => undefined);
    pending = tracked;
  };
  store.settle = () => pending;
}
