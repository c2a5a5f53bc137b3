// Where the idempotence and transaction state of one Kafka front-end lives: created on first
// use per KafkaBroker, so handlers reach it as exactlyOnce(ctx.broker) without the broker
// class knowing about it.
import type { KafkaBroker } from './broker.js';
import { ProducerStates } from './producers.js';
import { TransactionCoordinator } from './transactions.js';

export interface ExactlyOnce {
  producers: ProducerStates;
  txns: TransactionCoordinator;
}

const states = new WeakMap<KafkaBroker, ExactlyOnce>();

export function exactlyOnce(b: KafkaBroker): ExactlyOnce {
  let s = states.get(b);
  if (!s) {
    const producers = new ProducerStates();
    s = { producers, txns: new TransactionCoordinator(b.core, producers) };
    states.set(b, s);
  }
  return s;
}
