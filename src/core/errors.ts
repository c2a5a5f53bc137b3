// Neutral errors raised by the core. Each front-end maps `code` (and sometimes `reason`) to its
// own wire error: an SQS error body, an AMQP reply code, a Kafka error code. No wire text here.

export type BrokerErrorCode =
  | 'not_found' // queue, topic, group, lease or exchange does not exist
  | 'already_exists' // create with a name that is taken (possibly with other settings)
  | 'invalid_argument' // a value outside the allowed range or of the wrong shape
  | 'precondition_failed' // the resource is in a state that forbids the call (in use, not empty)
  | 'lease_invalid' // the lease/receipt is unknown or no longer current
  | 'limit_exceeded' // length, size or rate limit hit
  | 'resource_locked' // owned by another session (exclusive queue, busy group)
  | 'recently_deleted' // a name that cannot be reused yet
  | 'unsupported' // a feature the core does not implement
  | 'storage_error'; // persistence failed (disk full, permissions)

export class BrokerError extends Error {
  readonly code: BrokerErrorCode;
  /** A stable, machine-readable sub-reason front-ends may switch on (e.g. 'max_length'). */
  readonly reason: string | undefined;

  constructor(code: BrokerErrorCode, message: string, reason?: string) {
    super(message);
    this.name = 'BrokerError';
    this.code = code;
    this.reason = reason;
  }
}

export function isBrokerError(e: unknown): e is BrokerError {
  return e instanceof BrokerError;
}
