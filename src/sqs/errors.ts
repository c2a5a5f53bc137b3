// The one place SQS wire errors are made. Rows (JSON __type, Query code, HTTP status, fault)
// come from protocols/sqs/errors.json; the message builders below hold the real service's
// texts (reference/sqs.md section 3) so no handler writes a wire string itself.

import { readFileSync } from 'node:fs';
import { isBrokerError } from '../core/index.js';

export interface ErrorRow {
  type: string;
  code: string;
  status: number;
  fault: 'Sender' | 'Receiver';
  message?: string;
  queryMessage?: string;
}

const table = (JSON.parse(readFileSync(new URL('../../protocols/sqs/errors.json', import.meta.url), 'utf8')) as { errors: Record<string, ErrorRow> }).errors;

export type SqsErrorName =
  | 'InvalidParameterValue' | 'MissingParameter' | 'QueueDoesNotExist' | 'QueueNameExists' | 'QueueDeletedRecently'
  | 'InvalidAttributeName' | 'InvalidAttributeValue' | 'InvalidMessageContents' | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight' | 'PurgeQueueInProgress' | 'EmptyBatchRequest' | 'TooManyEntriesInBatchRequest'
  | 'BatchEntryIdsNotDistinct' | 'InvalidBatchEntryId' | 'BatchRequestTooLong' | 'UnsupportedOperation' | 'OverLimit'
  | 'ResourceNotFoundException' | 'InvalidAction' | 'UnknownOperation' | 'MissingAction' | 'SerializationException'
  | 'RequestEntityTooLarge' | 'InternalError';

export class SqsError extends Error {
  readonly row: ErrorRow;
  constructor(readonly errorName: SqsErrorName, message?: string) {
    const row = table[errorName];
    if (!row) throw new Error(`errors.json has no row ${errorName}`);
    super(message ?? row.message ?? errorName);
    this.row = row;
  }

  /** The message for a flavour: a few errors are worded differently in the Query API. */
  messageFor(flavour: 'json' | 'query'): string {
    return flavour === 'query' && this.row.queryMessage !== undefined && this.message === this.row.message ? this.row.queryMessage : this.message;
  }
}

/** Any thrown value as an SqsError: core errors by their neutral code, the rest as internal. */
export function toSqsError(err: unknown): SqsError {
  if (err instanceof SqsError) return err;
  if (isBrokerError(err)) {
    if (err.code === 'not_found') return new SqsError('QueueDoesNotExist');
    if (err.code === 'invalid_argument') return new SqsError('InvalidParameterValue', err.message);
  }
  return new SqsError('InternalError');
}

// ---- message builders (texts as recorded against real SQS) ----------------------------------

export const invalidValue = (param: string, value: string | number, reason: string): SqsError =>
  new SqsError('InvalidParameterValue', `Value ${value} for parameter ${param} is invalid. Reason: ${reason}`);

export const missingParameter = (param: string): SqsError => new SqsError('MissingParameter', `The request must contain the parameter ${param}.`);

export const unknownAttribute = (name: string): SqsError => new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);

export const invalidAttributeValue = (name: string, reason?: string): SqsError =>
  new SqsError('InvalidAttributeValue', reason === undefined ? `Invalid value for the parameter ${name}.` : `Invalid value for the parameter ${name}. Reason: ${reason}`);

export const queueNotFound = (): SqsError => new SqsError('QueueDoesNotExist');

export const invalidReceiptHandle = (handle: string): SqsError =>
  new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);

export const tooLongMessage = (limit: number, batchEntry: boolean): SqsError =>
  new SqsError('InvalidParameterValue', `One or more parameters ${batchEntry ? 'cannot be validated' : 'are invalid'}. Reason: Message must be shorter than ${limit} bytes.`);

export const invalidBody = (): SqsError =>
  new SqsError('InvalidMessageContents', 'Invalid binary character was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');

export const unknownAction = (action: string): SqsError => new SqsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);

export const TEXT = {
  groupIdSyntax: 'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
  dedupIdSyntax: 'MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.',
  noDedup: 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
  fifoDelay: 'The request include parameter that is not valid for this queue type.',
  delayRange: 'DelaySeconds must be >= 0 and <= 900.',
  batchGroupId: 'The request must contain the parameter MessageGroupId.',
  notForQueueTypeBatch: 'The request include parameter that is not valid for this queue type',
  notForQueueType: (param: string) => `The request include parameter ${param} which is not valid for this queue type`,
  noQueueName: 'Value for parameter QueueName is invalid. Reason: Must specify a queue name.',
  emptyQueueName: 'Queue name cannot be empty',
  handleExpired: 'The receipt handle has expired.',
  notAvailableForVisibility: 'Message does not exist or is not available for visibility timeout change.',
  totalVisibility: 'Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
  maxMessages: 'Must be between 1 and 10, if provided.',
  waitTime: 'Must be >= 0 and <= 20, if provided.',
  visibilityRange: 'Must be >= 0 and <= 43200, if provided.',
  changeVisibilityRange: 'Must be between 0 and 43200.',
  batchVisibilityRange: 'VisibilityTimeout must be an integer between 0 and 43200.',
  queueName: 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
  fifoName: 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
  sameAttributes: (attr: string) => `A queue already exists with the same name and a different value for attribute ${attr}`,
  purgeInProgress: (name: string) => `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`,
  batchTooMany: (n: number) => `Maximum number of entries per request are 10. You have sent ${n}.`,
  batchEmpty: (entry: string) => `There should be at least one ${entry} in the request.`,
  batchNotDistinct: (id: string) => `Id ${id} repeated.`,
  batchTooLong: (n: number) => `Batch requests cannot be longer than 1048576 bytes. You have sent ${n} bytes.`,
  maxResults: 'Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.',
  taskMaxResults: 'Must be between 1 and 10.',
  taskRate: "Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: You must enter a number that's between 1 and 500.",
  arnFormat: (param: string) => `You must use this format to specify the ${param}: arn:<partition>:<service>:<region>:<account-id>:<resource-id>`,
  sameArn: 'Source queue arn and destination queue arn cannot be the same.',
  taskQueueTypes: 'The source queue and destination queue must be of the same queue type.',
  throughputScope: 'The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup',
  notADlq: 'Source queue must be configured as a Dead Letter Queue.',
  taskRunning: 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.',
  badTaskHandle: 'Value for parameter TaskHandle is invalid.',
  noTask: 'Task does not exist.',
  resourceMissing: (param: string) => `The resource that you specified for the ${param} parameter doesn't exist.`,
  badNextToken: 'Invalid or expired next token.',
  badAction: 'Please refer to the appropriate WSDL for a list of valid actions.',
  labelExists: 'Already exists.',
  ownerOnlyAction: 'Only the queue owner is allowed to invoke this action.',
  tooManyStatements: (n: number) => `${n} Statements were found, maximum allowed is 20.`,
  labelMissing: "can't find label.",
} as const;
