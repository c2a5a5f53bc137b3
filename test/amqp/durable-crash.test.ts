// kill -9 under load: a real omnibroker process (`node --import tsx src/cli.ts --data-dir DIR
// --fsync always`) takes persistent publishes with confirms through amqplib on several
// channels, is SIGKILLed at a random moment, restarted on the same directory, and every
// confirmed message must be there (bodies), in publish order per channel, none duplicated.
import amqplib from 'amqplib';
import { describe, expect, it } from 'vitest';
import { childBrokers } from '../helpers/child-broker.js';

const startBroker = childBrokers('amqp').start;

const CHANNELS = 3;
const QUEUE = 'crash-q';

describe('AMQP durability under kill -9 (--fsync always)', () => {
  it('keeps every confirmed persistent message across repeated SIGKILLs', async () => {
    const confirmed = new Set<string>();
    const consumed: string[] = [];
    let next = 0;
    for (let round = 0; round < 3; round++) {
      const b = await startBroker();
      const conn = await amqplib.connect(`${b.url.replace('amqp://', 'amqp://guest:guest@')}`);
      conn.on('error', () => {});
      const setup = await conn.createChannel();
      await setup.assertQueue(QUEUE, { durable: true });
      // Everything confirmed before must be here (and nothing twice): count it, leave it queued.
      const ok = await setup.checkQueue(QUEUE);
      expect(ok.messageCount).toBeGreaterThanOrEqual(confirmed.size);
      let stop = false;
      const publishers = Array.from({ length: CHANNELS }, async (_, c) => {
        const ch = await conn.createConfirmChannel();
        ch.on('error', () => {});
        while (!stop) {
          const batch: Promise<void>[] = [];
          for (let k = 0; k < 20 && !stop; k++) {
            const body = `r${round}-c${c}-${next++}`;
            batch.push(new Promise<void>((res) => {
              ch.sendToQueue(QUEUE, Buffer.from(body), { persistent: true }, (e) => {
                if (!e) confirmed.add(body);
                res();
              });
            }));
          }
          await Promise.race([Promise.all(batch), b.exited]);
        }
      }).map((p) => p.catch(() => {}));
      await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 400)));
      b.child.kill('SIGKILL');
      stop = true;
      await b.exited;
      await Promise.all(publishers);
    }
    // Final start: drain everything and check every confirmed message is present exactly once.
    const b = await startBroker();
    const conn = await amqplib.connect(`${b.url.replace('amqp://', 'amqp://guest:guest@')}`);
    const ch = await conn.createChannel();
    const total = (await ch.checkQueue(QUEUE)).messageCount;
    await ch.consume(QUEUE, (m) => {
      if (m) consumed.push(m.content.toString());
    }, { noAck: true });
    const end = Date.now() + 5000;
    while (consumed.length < total && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(consumed.length).toBe(total);
    expect(new Set(consumed).size).toBe(consumed.length);
    const present = new Set(consumed);
    const missing = [...confirmed].filter((x) => !present.has(x));
    expect(missing).toEqual([]);
    expect(confirmed.size).toBeGreaterThan(0);
    // Per publisher channel, messages come back in publish order.
    const seq = (x: string): [string, number] => {
      const [r, c, n] = x.split('-');
      return [`${r}-${c}`, Number(n)];
    };
    const last = new Map<string, number>();
    for (const x of consumed) {
      const [k, n] = seq(x);
      expect(n).toBeGreaterThan(last.get(k) ?? -1);
      last.set(k, n);
    }
    await conn.close();
    b.child.kill('SIGTERM');
    await b.exited;
  }, 30000);

  it('brings back a delivered, unacked message flagged redelivered after kill -9', async () => {
    const b = await startBroker();
    const conn = await amqplib.connect(`${b.url.replace('amqp://', 'amqp://guest:guest@')}`);
    conn.on('error', () => {});
    const ch = await conn.createConfirmChannel();
    ch.on('error', () => {});
    await ch.assertQueue('mark-q', { durable: true });
    ch.sendToQueue('mark-q', Buffer.from('held'), { persistent: true });
    await ch.waitForConfirms();
    const m = await ch.get('mark-q');
    expect(m && m.fields.redelivered).toBe(false);
    // The delivered mark is written within 50 ms of the delivery (durable-queue.ts).
    await new Promise((r) => setTimeout(r, 300));
    b.child.kill('SIGKILL');
    await b.exited;
    const again = await startBroker();
    const conn2 = await amqplib.connect(`${again.url.replace('amqp://', 'amqp://guest:guest@')}`);
    const ch2 = await conn2.createChannel();
    const back = await ch2.get('mark-q', { noAck: true });
    expect(back && back.content.toString()).toBe('held');
    expect(back && back.fields.redelivered).toBe(true);
    await conn2.close();
    again.child.kill('SIGTERM');
    await again.exited;
  }, 30000);
});
