// kill -9 with messages held by a durable x-delayed-message exchange: a real omnibroker
// process (`src/cli.ts --data-dir DIR --fsync always`) takes persistent delayed publishes with
// confirms through amqplib, some falling due (routed to a durable queue) before it is SIGKILLed
// at a random moment; after the restart every confirmed message reaches the queue, none before
// its delay is over. A message routed just before the kill may arrive twice (its queue copy and
// its held record are separate writes: at least once), never zero times.
import amqplib from 'amqplib';
import { describe, expect, it } from 'vitest';
import { childBrokers } from '../helpers/child-broker.js';

const startBroker = childBrokers('amqp').start;
const login = (url: string): string => url.replace('amqp://', 'amqp://guest:guest@');

describe('delayed messages under kill -9 (--fsync always)', () => {
  it('every confirmed delayed message is routed after the restart, not before its delay', async () => {
    const due = new Map<string, number>();
    let b = await startBroker();
    let conn = await amqplib.connect(login(b.url));
    conn.on('error', () => {});
    const setup = await conn.createChannel();
    await setup.assertExchange('crash-dx', 'x-delayed-message', { durable: true, arguments: { 'x-delayed-type': 'direct' } });
    await setup.assertQueue('crash-dq', { durable: true });
    await setup.bindQueue('crash-dq', 'crash-dx', 'k');
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => {});
    let stop = false;
    let n = 0;
    const publishing = (async () => {
      while (!stop) {
        const batch: Promise<void>[] = [];
        for (let k = 0; k < 10; k++) {
          const body = `m${n++}`;
          const delay = 100 + ((n * 37) % 1400); // some fall due before the kill, most after
          const sentAt = Date.now();
          batch.push(new Promise<void>((res) => {
            ch.publish('crash-dx', 'k', Buffer.from(body), { persistent: true, headers: { 'x-delay': delay } }, (e) => {
              if (!e) due.set(body, sentAt + delay);
              res();
            });
          }));
        }
        await Promise.race([Promise.all(batch), b.exited]);
      }
    })().catch(() => {});
    await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 400)));
    b.child.kill('SIGKILL');
    stop = true;
    await b.exited;
    await publishing;
    expect(due.size).toBeGreaterThan(0);

    b = await startBroker();
    conn = await amqplib.connect(login(b.url));
    const reader = await conn.createChannel();
    const seen = new Map<string, number>();
    const early: string[] = [];
    await reader.consume('crash-dq', (m) => {
      if (!m) return;
      const body = m.content.toString();
      const at = Date.now();
      if (at < (due.get(body) ?? 0) - 50) early.push(body);
      seen.set(body, (seen.get(body) ?? 0) + 1);
    }, { noAck: true });
    const latest = Math.max(...due.values());
    const end = Math.max(Date.now(), latest) + 4000;
    while (Date.now() < end && [...due.keys()].some((k) => !seen.has(k))) await new Promise((r) => setTimeout(r, 50));
    const missing = [...due.keys()].filter((k) => !seen.has(k));
    expect(missing).toEqual([]);
    expect(early).toEqual([]);
    await conn.close();
    b.child.kill('SIGKILL');
    await b.exited;
  });
});
