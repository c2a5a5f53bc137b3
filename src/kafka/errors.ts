// Kafka wire error codes, from protocols/kafka/errors.json, and the mapping of neutral core
// errors onto them. Handlers use names (UNKNOWN_TOPIC_OR_PARTITION), never bare numbers.

import { readFileSync } from 'node:fs';
import { isBrokerError } from '../core/index.js';

interface ErrorRow {
  code: number;
  retriable: boolean;
  message: string;
}

const table = (JSON.parse(readFileSync(new URL('../../protocols/kafka/errors.json', import.meta.url), 'utf8')) as { errors: Record<string, ErrorRow> }).errors;

export type KafkaErrorName = keyof typeof table & string;

export function code(name: KafkaErrorName): number {
  const row = table[name];
  if (!row) throw new Error(`unknown Kafka error ${name}`);
  return row.code;
}

export function message(name: KafkaErrorName): string {
  return table[name]?.message ?? '';
}

/** Wire error for a core failure: business errors go in the response, never a close. */
export function fromBrokerError(e: unknown): number {
  if (!isBrokerError(e)) return code('UNKNOWN_SERVER_ERROR');
  switch (e.code) {
    case 'not_found':
      return code('UNKNOWN_TOPIC_OR_PARTITION');
    case 'already_exists':
      return code('TOPIC_ALREADY_EXISTS');
    case 'invalid_argument':
      return e.reason === 'offset_out_of_range' ? code('OFFSET_OUT_OF_RANGE') : code('INVALID_REQUEST');
    case 'limit_exceeded':
      return code('MESSAGE_TOO_LARGE');
    case 'unsupported':
      return code('UNSUPPORTED_VERSION');
    case 'storage_error':
      return code('KAFKA_STORAGE_ERROR');
    default:
      return code('UNKNOWN_SERVER_ERROR');
  }
}

export const E = {
  NONE: 0,
  UNKNOWN_SERVER_ERROR: code('UNKNOWN_SERVER_ERROR'),
  OFFSET_OUT_OF_RANGE: code('OFFSET_OUT_OF_RANGE'),
  CORRUPT_MESSAGE: code('CORRUPT_MESSAGE'),
  UNKNOWN_TOPIC_OR_PARTITION: code('UNKNOWN_TOPIC_OR_PARTITION'),
  MESSAGE_TOO_LARGE: code('MESSAGE_TOO_LARGE'),
  INVALID_TOPIC_EXCEPTION: code('INVALID_TOPIC_EXCEPTION'),
  INVALID_REQUIRED_ACKS: code('INVALID_REQUIRED_ACKS'),
  ILLEGAL_GENERATION: code('ILLEGAL_GENERATION'),
  INCONSISTENT_GROUP_PROTOCOL: code('INCONSISTENT_GROUP_PROTOCOL'),
  INVALID_GROUP_ID: code('INVALID_GROUP_ID'),
  UNKNOWN_MEMBER_ID: code('UNKNOWN_MEMBER_ID'),
  INVALID_SESSION_TIMEOUT: code('INVALID_SESSION_TIMEOUT'),
  REBALANCE_IN_PROGRESS: code('REBALANCE_IN_PROGRESS'),
  COORDINATOR_NOT_AVAILABLE: code('COORDINATOR_NOT_AVAILABLE'),
  NOT_COORDINATOR: code('NOT_COORDINATOR'),
  UNSUPPORTED_VERSION: code('UNSUPPORTED_VERSION'),
  TOPIC_ALREADY_EXISTS: code('TOPIC_ALREADY_EXISTS'),
  INVALID_PARTITIONS: code('INVALID_PARTITIONS'),
  INVALID_REPLICATION_FACTOR: code('INVALID_REPLICATION_FACTOR'),
  INVALID_REQUEST: code('INVALID_REQUEST'),
  INVALID_CONFIG: code('INVALID_CONFIG'),
  NON_EMPTY_GROUP: code('NON_EMPTY_GROUP'),
  GROUP_ID_NOT_FOUND: code('GROUP_ID_NOT_FOUND'),
  MEMBER_ID_REQUIRED: code('MEMBER_ID_REQUIRED'),
  FENCED_INSTANCE_ID: code('FENCED_INSTANCE_ID'),
  INVALID_RECORD: code('INVALID_RECORD'),
  UNKNOWN_TOPIC_ID: code('UNKNOWN_TOPIC_ID'),
  GROUP_SUBSCRIBED_TO_TOPIC: code('GROUP_SUBSCRIBED_TO_TOPIC'),
  UNSUPPORTED_COMPRESSION_TYPE: code('UNSUPPORTED_COMPRESSION_TYPE'),
  SECURITY_DISABLED: code('SECURITY_DISABLED'),
  TOPIC_AUTHORIZATION_FAILED: code('TOPIC_AUTHORIZATION_FAILED'),
  GROUP_AUTHORIZATION_FAILED: code('GROUP_AUTHORIZATION_FAILED'),
  CLUSTER_AUTHORIZATION_FAILED: code('CLUSTER_AUTHORIZATION_FAILED'),
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: code('TRANSACTIONAL_ID_AUTHORIZATION_FAILED'),
  POLICY_VIOLATION: code('POLICY_VIOLATION'),
  INVALID_REPLICA_ASSIGNMENT: code('INVALID_REPLICA_ASSIGNMENT'),
  FENCED_LEADER_EPOCH: code('FENCED_LEADER_EPOCH'),
  UNKNOWN_LEADER_EPOCH: code('UNKNOWN_LEADER_EPOCH'),
} as const;
