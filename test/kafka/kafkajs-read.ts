// Reading a topic with a kafkajs consumer until enough messages have arrived.
import type { Consumer, KafkaMessage } from 'kafkajs';

/**
 * Connects `consumer`, subscribes it to `topic` from the beginning, collects
 * `describe(message, partition)` until `count` messages were seen (rejecting after `timeoutMs`),
 * waits `settleMs` more (so a wrongly delivered extra message can show up), then disconnects it
 * and returns what was collected (every message seen up to the disconnect, in delivery order).
 */
export async function readMessages<T>(consumer: Consumer, topic: string, count: number, describe: (m: KafkaMessage, partition: number) => T, { timeoutMs = 10_000, settleMs = 0 } = {}): Promise<T[]> {
  const seen: T[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic}: only ${seen.length} of ${count} messages`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          seen.push(describe(message, partition));
          if (seen.length === count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** The message's value as text ('' for a null value). */
export const valueText = (m: KafkaMessage): string => m.value?.toString() ?? '';
