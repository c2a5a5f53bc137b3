// Produce acknowledgements with --data-dir: a Produce with acks=1/-1 is answered only once its
// batches are durable per the --fsync policy (the storage engine's commit, shared by every
// append of the same I/O turn: group commit). If the disk refuses the write, the partitions
// that were appended answer KAFKA_STORAGE_ERROR, as Kafka does when a log directory fails.
import type { Msg } from './codec.js';
import { code } from './errors.js';
import type { KafkaPersistence } from './persistence.js';

export const KAFKA_STORAGE_ERROR = code('KAFKA_STORAGE_ERROR');
/** KafkaStorageException's default message. */
export const STORAGE_ERROR_MESSAGE = 'Disk error when trying to access log file on the disk.';

export function acknowledgeDurable(persistence: KafkaPersistence, responses: Msg[]): Promise<Msg> {
  const body = { responses, throttleTimeMs: 0 };
  return persistence.settle().then(
    () => body,
    () => {
      for (const t of responses) {
        for (const p of t.partitionResponses as Msg[]) {
          if (p.errorCode !== 0) continue;
          Object.assign(p, { errorCode: KAFKA_STORAGE_ERROR, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage: STORAGE_ERROR_MESSAGE });
        }
      }
      return body;
    },
  );
}
