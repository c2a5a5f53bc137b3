// channel.* and access.request handlers. channel.flow active=false is not implemented by
// RabbitMQ (540, a connection error) and neither here; access.request is the deprecated no-op.

import type { Channel } from '../channel.js';
import type { MethodArgs } from '../codec.js';
import { err } from '../errors.js';

type Handler = (ch: Channel, args: MethodArgs) => void;

export const CHANNEL_CLASS: Record<string, Handler> = {
  'channel.open': () => {
    throw err('CHANNEL_ERROR', "second 'channel.open' seen");
  },
  'channel.flow': (ch, a) => {
    if (a['active'] !== true) throw err('NOT_IMPLEMENTED', 'active=false');
    ch.conn.sendMethod(ch.id, 'channel.flow-ok', { active: true });
  },
  'channel.flow-ok': () => {
    // The server never sends channel.flow, so a flow-ok answers nothing; RabbitMQ ignores it.
  },
  'channel.close': (ch) => {
    ch.release();
    ch.conn.channels.delete(ch.id);
    ch.conn.sendMethod(ch.id, 'channel.close-ok', {});
  },
  'channel.close-ok': () => {
    // Only meaningful while closing (handled in Channel); otherwise ignored like RabbitMQ.
  },
  'access.request': (ch) => {
    ch.conn.sendMethod(ch.id, 'access.request-ok', { ticket: 1 });
  },
};
