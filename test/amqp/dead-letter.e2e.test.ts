// Dead-lettering as RabbitMQ 4.2 writes it, compared field by field: x-death entries (count,
// reason, queue, time of the first death, exchange, routing-keys, original-expiration), most
// recent first; x-first-death-* / x-last-death-*; the retry pattern (DLX + TTL); cycles;
// a client-supplied x-death is not interpreted (4.x); a missing DLX drops the message.
import type { Channel, GetMessage } from 'amqplib';
import { describe, expect, test } from 'vitest';
import { amqpServerPerFile, openChannel, sleep, tempQueue } from './helpers.js';

const server = amqpServerPerFile();

const channel = (): Promise<Channel> => openChannel(server());


/** Polls basic.get until a message arrives. */
async function waitGet(ch: Channel, q: string, noAck = true): Promise<GetMessage> {
  const end = Date.now() + 2000;
  for (;;) {
    const m = await ch.get(q, { noAck });
    if (m) return m;
    if (Date.now() > end) throw new Error(`nothing arrived in ${q}`);
    await sleep(5);
  }
}

type Death = Record<string, unknown>;
const deathsOf = (m: GetMessage): Death[] => (m.properties.headers as Record<string, unknown>)['x-death'] as Death[];

describe('x-death', () => {
  test('a rejected message carries every x-death field and the first/last death headers', async () => {
    const ch = await channel();
    await ch.assertExchange('dl.fields', 'topic', { durable: false });
    const dead = await tempQueue(ch);
    await ch.bindQueue(dead, 'dl.fields', '#');
    const work = await tempQueue(ch, { 'x-dead-letter-exchange': 'dl.fields' });
    await ch.assertExchange('dl.src', 'direct', { durable: false });
    await ch.bindQueue(work, 'dl.src', 'k1');
    await ch.bindQueue(work, 'dl.src', 'k2');
    const before = Math.floor(Date.now() / 1000);
    ch.publish('dl.src', 'k1', Buffer.from('bad'), { headers: { keep: 'me', CC: ['k2'] }, priority: 3 });
    const m = await waitGet(ch, work, false);
    ch.reject(m, false);
    const d = await waitGet(ch, dead);
    expect(d.content.toString()).toBe('bad');
    // Republished to the DLX with the original routing key.
    expect(d.fields).toMatchObject({ exchange: 'dl.fields', routingKey: 'k1', redelivered: false });
    expect(d.properties.priority).toBe(3);
    const h = d.properties.headers as Record<string, unknown>;
    expect(h['keep']).toBe('me');
    expect(Object.keys(h).filter((k) => k.startsWith('x-'))).toEqual([
      'x-death', 'x-first-death-exchange', 'x-first-death-queue', 'x-first-death-reason', 'x-last-death-exchange', 'x-last-death-queue', 'x-last-death-reason',
    ]);
    expect(h).toMatchObject({
      'x-first-death-exchange': 'dl.src', 'x-first-death-queue': work, 'x-first-death-reason': 'rejected',
      'x-last-death-exchange': 'dl.src', 'x-last-death-queue': work, 'x-last-death-reason': 'rejected',
    });
    const [death, ...rest] = deathsOf(d);
    expect(rest).toEqual([]);
    expect(Object.keys(death as Death)).toEqual(['count', 'reason', 'queue', 'time', 'exchange', 'routing-keys']);
    expect(death).toMatchObject({ count: 1, reason: 'rejected', queue: work, exchange: 'dl.src', 'routing-keys': ['k1', 'k2'] });
    // amqplib hands timestamps back tagged: the field is an AMQP timestamp (seconds).
    expect(((death as Death)['time'] as { '!': string })['!']).toBe('timestamp');
    const time = ((death as Death)['time'] as { value: number }).value;
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });

  test('retry queue (DLX + TTL): entries per {queue, reason}, counted, most recent first, time of first death kept', async () => {
    const ch = await channel();
    await ch.assertExchange('retry.x', 'fanout', { durable: false });
    await ch.assertQueue('dl-work', { exclusive: true, arguments: { 'x-dead-letter-exchange': 'retry.x' } });
    const retry = await tempQueue(ch, { 'x-message-ttl': 5, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dl-work' });
    await ch.bindQueue(retry, 'retry.x', '');
    ch.sendToQueue('dl-work', Buffer.from('job'));
    let firstTime: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const m = await waitGet(ch, 'dl-work', false);
      const deaths = deathsOf(m) ?? [];
      if (attempt === 1) expect(deaths).toEqual([]);
      if (attempt > 1) {
        // The expiry in the retry queue was the latest death, then the rejection in dl-work.
        expect(deaths.map((x) => [x['queue'], x['reason'], x['count']])).toEqual([
          [retry, 'expired', attempt - 1],
          ['dl-work', 'rejected', attempt - 1],
        ]);
        expect(deaths[1]).toMatchObject({ exchange: '', 'routing-keys': ['dl-work'] });
        expect(deaths[0]).toMatchObject({ exchange: 'retry.x', 'routing-keys': ['dl-work'] });
        firstTime ??= deaths[1]?.['time'];
        expect(deaths[1]?.['time']).toEqual(firstTime);
        const h = m.properties.headers as Record<string, unknown>;
        expect(h['x-first-death-queue']).toBe('dl-work');
        expect(h['x-first-death-reason']).toBe('rejected');
        expect(h['x-last-death-queue']).toBe(retry);
        expect(h['x-last-death-reason']).toBe('expired');
      }
      ch.reject(m, false);
    }
  });

  test('per-message expiration becomes original-expiration (listed first) and is removed', async () => {
    const ch = await channel();
    const dead = await tempQueue(ch);
    const ttlQ = await tempQueue(ch, { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead });
    ch.sendToQueue(ttlQ, Buffer.from('late'), { expiration: '5' });
    const e = await waitGet(ch, dead);
    expect(e.properties.expiration).toBeUndefined();
    const [death] = deathsOf(e);
    expect(Object.keys(death as Death)[0]).toBe('original-expiration');
    expect(death).toMatchObject({ 'original-expiration': '5', reason: 'expired', queue: ttlQ, count: 1 });
  });

  test('a client-supplied x-death is not interpreted (RabbitMQ 4.x): counts start at 1, broker headers replace the client\'s', async () => {
    const ch = await channel();
    const dead = await tempQueue(ch);
    const work = await tempQueue(ch, { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead });
    ch.sendToQueue(work, Buffer.from('republished'), {
      headers: {
        'x-death': [{ count: 7, reason: 'rejected', queue: work, time: new Date(1000), exchange: '', 'routing-keys': [work] }],
        'x-first-death-queue': 'somewhere-else',
      },
    });
    const m = await waitGet(ch, work, false);
    ch.reject(m, false);
    const d = await waitGet(ch, dead);
    const deaths = deathsOf(d);
    expect(deaths).toHaveLength(1);
    expect(deaths[0]).toMatchObject({ count: 1, reason: 'rejected', queue: work });
    expect((d.properties.headers as Record<string, unknown>)['x-first-death-queue']).toBe(work);
  });
});

describe('dead-letter routing', () => {
  test('without x-dead-letter-routing-key the message is routed by all its routing keys, CC included', async () => {
    const ch = await channel();
    await ch.assertExchange('dl.cc', 'direct', { durable: false });
    const viaCc = await tempQueue(ch);
    await ch.bindQueue(viaCc, 'dl.cc', 'second');
    const work = await tempQueue(ch, { 'x-dead-letter-exchange': 'dl.cc' });
    await ch.bindQueue(work, 'amq.direct', 'first');
    ch.publish('amq.direct', 'first', Buffer.from('cc'), { CC: ['second'] });
    const m = await waitGet(ch, work, false);
    ch.reject(m, false);
    const d = await waitGet(ch, viaCc);
    expect(d.content.toString()).toBe('cc');
    expect(deathsOf(d)[0]).toMatchObject({ 'routing-keys': ['first', 'second'] });
  });

  test('an automatic cycle (expiry back into the same queue) drops the message', async () => {
    const ch = await channel();
    await ch.assertQueue('dl-cycle', { exclusive: true, arguments: { 'x-message-ttl': 5, 'x-dead-letter-exchange': '' } });
    ch.sendToQueue('dl-cycle', Buffer.from('loop'));
    await sleep(60);
    expect(await ch.get('dl-cycle')).toBe(false);
  });

  test('a rejection breaks the cycle: the message comes back to its own queue', async () => {
    const ch = await channel();
    await ch.assertQueue('dl-self', { exclusive: true, arguments: { 'x-dead-letter-exchange': '' } });
    ch.sendToQueue('dl-self', Buffer.from('again'));
    const m = await waitGet(ch, 'dl-self', false);
    ch.reject(m, false);
    const back = await waitGet(ch, 'dl-self');
    expect(deathsOf(back)[0]).toMatchObject({ count: 1, reason: 'rejected', queue: 'dl-self' });
  });

  test('max-length drop-head dead-letters as maxlen; a missing DLX drops silently', async () => {
    const ch = await channel();
    const dead = await tempQueue(ch);
    const q = await tempQueue(ch, { 'x-max-length': 1, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead });
    ch.sendToQueue(q, Buffer.from('first'));
    ch.sendToQueue(q, Buffer.from('second'));
    const d = await waitGet(ch, dead);
    expect(d.content.toString()).toBe('first');
    expect(deathsOf(d)[0]).toMatchObject({ reason: 'maxlen', queue: q, count: 1 });
    const orphan = await tempQueue(ch, { 'x-dead-letter-exchange': 'no-such-exchange' });
    ch.sendToQueue(orphan, Buffer.from('gone'));
    const m = await waitGet(ch, orphan, false);
    ch.reject(m, false);
    await sleep(20);
    expect(await ch.get(orphan)).toBe(false);
    expect((await ch.checkQueue(q)).messageCount).toBe(1);
  });
});
