// The channel-level dispatch table, keyed by the spec's dotted method names. The connection
// class (channel 0) has its own table in connection.ts. A method missing here is answered
// with 503 COMMAND_INVALID by the channel.

import type { Channel } from '../channel.js';
import type { MethodArgs } from '../codec.js';
import { BASIC_CLASS } from './basic.js';
import { CHANNEL_CLASS } from './channel.js';
import { CONFIRM_TX_CLASS } from './confirm.js';
import { EXCHANGE_CLASS } from './exchange.js';
import { QUEUE_CLASS } from './queue.js';

export type ChannelHandler = (ch: Channel, args: MethodArgs) => void;

export const CHANNEL_METHODS: Record<string, ChannelHandler> = {
  ...CHANNEL_CLASS,
  ...EXCHANGE_CLASS,
  ...QUEUE_CLASS,
  ...BASIC_CLASS,
  ...CONFIRM_TX_CLASS,
};
