// What the SQS front-end keeps in a core message's opaque `meta`: attributes, the digests
// computed once at send, and the system attributes SQS reports on receive.

export interface AttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export interface SqsMessageMeta {
  attributes: Record<string, AttributeValue> | undefined;
  md5Body: string;
  md5Attributes: string | undefined;
  traceHeader: string | undefined;
  sentAt: number;
  senderId: string;
  groupId: string | undefined;
  dedupId: string | undefined;
  sequenceNumber: string | undefined;
  /** Set when the message was dead-lettered: the source queue's ARN. */
  deadLetterSourceArn: string | undefined;
  /** Receives counted before a dead-letter move (ApproximateReceiveCount continues). */
  baseReceiveCount: number;
  firstReceiveAt: number | undefined;
  /** When the current lease began (the 12-hour total visibility limit counts from here). */
  leasedAt: number;
  /** The lease id of the newest receive; older handles are stale. */
  currentLease: number;
}

export function metaOf(m: { meta: unknown }): SqsMessageMeta {
  return m.meta as SqsMessageMeta;
}
