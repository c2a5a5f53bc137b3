// confirm.select and tx.select / commit / rollback with RabbitMQ's rules: the two modes exclude
// each other (406 texts as RabbitMQ), commit/rollback need tx.select first (406 "channel is
// not transactional"). A commit routes the buffered publishes and applies buffered acks.

import type { Channel } from '../channel.js';
import type { MethodArgs } from '../codec.js';
import { err } from '../errors.js';
import { routeAndEnqueue } from '../publish.js';

type Handler = (ch: Channel, args: MethodArgs) => void;

const requireTx = (ch: Channel): void => {
  if (ch.mode !== 'tx') throw err('PRECONDITION_FAILED', 'channel is not transactional');
};

export const CONFIRM_TX_CLASS: Record<string, Handler> = {
  'confirm.select': (ch, a) => {
    if (ch.mode === 'tx') throw err('PRECONDITION_FAILED', 'cannot switch from tx to confirm mode');
    ch.mode = 'confirm';
    if (a['nowait'] !== true) ch.conn.sendMethod(ch.id, 'confirm.select-ok', {});
  },
  'tx.select': (ch) => {
    if (ch.mode === 'confirm') throw err('PRECONDITION_FAILED', 'cannot switch from confirm to tx mode');
    ch.mode = 'tx';
    ch.conn.sendMethod(ch.id, 'tx.select-ok', {});
  },
  'tx.commit': (ch) => {
    requireTx(ch);
    const publishes = ch.txPublishes.splice(0);
    const waits: Promise<void>[] = [];
    for (const p of publishes) routeAndEnqueue(ch, p, waits);
    const settles = ch.txSettles.splice(0);
    ch.settle(settles);
    if (waits.length === 0 && !ch.confirmsWaiting) {
      ch.conn.sendMethod(ch.id, 'tx.commit-ok', {});
      return;
    }
    // --data-dir: persistent messages in durable queues are on disk before commit-ok.
    ch.durable.when(waits, (ok) => {
      if (ok) ch.conn.sendMethod(ch.id, 'tx.commit-ok', {});
      else ch.closeWithError(err('INTERNAL_ERROR', 'cannot write the transaction to disk'));
    });
  },
  'tx.rollback': (ch) => {
    requireTx(ch);
    ch.txPublishes.length = 0;
    // Rolled-back acks leave the deliveries unacked again, in delivery-tag order.
    const back = ch.txSettles.splice(0);
    if (back.length > 0) {
      const all = [...ch.unacked.entries(), ...back.map((s) => [s.tag, s.u] as const)].sort((x, y) => x[0] - y[0]);
      ch.unacked.clear();
      for (const [tag, u] of all) ch.unacked.set(tag, u);
      for (const s of back) if (s.u.consumer) s.u.consumer.unacked++;
    }
    ch.conn.sendMethod(ch.id, 'tx.rollback-ok', {});
  },
};
