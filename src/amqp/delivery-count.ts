// Quorum queues add an x-delivery-count header to redelivered messages (RabbitMQ 4.0-4.2:
// the number of earlier returns by nack, reject or a lost connection). Only redeliveries from
// quorum queues pay for re-encoding the content header; everything else passes bytes through.

import type { Queue, StoredMessage } from '../core/index.js';
import type { AmqpMeta } from './channel.js';
import { withLongHeader } from './codec.js';
import type { Vhost } from './vhost.js';

export function headerFor(vh: Vhost, q: Queue, m: StoredMessage): Buffer {
  const meta = m.meta as AmqpMeta;
  if (m.returnCount === 0 || vh.info(q).type !== 'quorum') return meta.header;
  return withLongHeader(meta.header, 'x-delivery-count', m.returnCount);
}
