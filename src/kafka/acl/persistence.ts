// ACLs with --data-dir: the whole list in the snapshot "kafka-acls", rewritten after every
// change (ACL changes are rare and the list small, as Kafka keeps ACLs in its metadata log).
// Loaded at startup only when an authorizer is configured; without one the file is left as is.
import type { FileStore } from '../../core/index.js';
import type { Authorizer } from './authorizer.js';
import type { AclBinding } from './types.js';

const ACLS_SNAPSHOT = 'kafka-acls';

export function persistAcls(files: FileStore, authorizer: Authorizer): void {
  const raw = files.readSnapshot(ACLS_SNAPSHOT);
  if (raw) authorizer.store.add((JSON.parse(raw.toString('utf8')) as { acls: AclBinding[] }).acls);
  authorizer.store.onChange = () => {
    const write = files.writeSnapshot(ACLS_SNAPSHOT, Buffer.from(JSON.stringify({ acls: authorizer.store.all() })));
    write.catch(() => {}); // reported to the request that waits for it
    authorizer.written = write;
  };
}
