// AMQP errors: a reply code name plus RabbitMQ's explanation. The level (soft -> channel.close,
// hard -> connection.close) comes from the reply-code table in protocols/amqp/amqp-0-9-1.json,
// as RabbitMQ decides it (rabbit_binary_generator). BrokerErrors from the core map here too.

import { isBrokerError } from '../core/index.js';
import { replyCode, type ReplyName } from './spec.js';

export class AmqpError extends Error {
  /** Class/method of the failing method, filled in by the dispatcher. */
  classId = 0;
  methodId = 0;
  constructor(readonly reply: ReplyName, readonly explanation: string, readonly forceLevel?: 'soft' | 'hard') {
    super(`${reply} - ${explanation}`);
  }
  get code(): number {
    return replyCode(this.reply).code;
  }
  get hard(): boolean {
    return (this.forceLevel ?? replyCode(this.reply).level) === 'hard';
  }
  /** "NAME - explanation", at most 255 bytes (a shortstr). */
  get text(): string {
    const t = `${this.reply} - ${this.explanation}`;
    return Buffer.byteLength(t) <= 255 ? t : Buffer.from(t).subarray(0, 255).toString('utf8').replace(/\uFFFD$/, '');
  }
}

export const err = (reply: ReplyName, explanation: string): AmqpError => new AmqpError(reply, explanation);

/** A core error raised under an AMQP handler becomes the closest reply code. */
export function fromBrokerError(e: unknown): AmqpError {
  if (e instanceof AmqpError) return e;
  if (isBrokerError(e)) {
    switch (e.code) {
      case 'not_found': return err('NOT_FOUND', e.message);
      case 'already_exists':
      case 'invalid_argument':
      case 'precondition_failed':
      case 'lease_invalid':
      case 'limit_exceeded': return err('PRECONDITION_FAILED', e.message);
      case 'resource_locked': return err('RESOURCE_LOCKED', e.message);
      case 'unsupported': return err('NOT_IMPLEMENTED', e.message);
      default: return err('INTERNAL_ERROR', e.message);
    }
  }
  return err('INTERNAL_ERROR', e instanceof Error ? e.message : String(e));
}

/** RabbitMQ's resource naming in texts: "queue 'q' in vhost '/'". */
export const rqueue = (name: string, vhost: string): string => `queue '${name}' in vhost '${vhost}'`;
export const rexchange = (name: string, vhost: string): string => `exchange '${name}' in vhost '${vhost}'`;
