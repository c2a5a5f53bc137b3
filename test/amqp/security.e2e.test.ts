// Multi-tenancy and security: a RabbitMQ definitions export (test/amqp/fixtures, exported from
// a real RabbitMQ 3.10 with real salted SHA-256 password hashes) loaded with load_definitions;
// the configure/write/read permission matrix with RabbitMQ's 403 texts (compared live);
// vhost limits (530 / 406); vhost separation with the predeclared exchanges in each; policies
// (message-ttl + dead-letter-exchange by pattern and priority); guest only from loopback;
// malformed definitions are startup errors naming the JSON path.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqplib, { type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { hasPika, PYTHON, sleep } from './helpers.js';
import { RawClient } from './raw-client.js';

const DEFINITIONS = fileURLToPath(new URL('./fixtures/rabbitmq-definitions.json', import.meta.url));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ protocols: ['amqp'], resources: { amqp: { load_definitions: DEFINITIONS } } });
});
afterAll(async () => {
  await server.stop();
});

const url = (user: string, pass: string, vhost: string, s: TestServer = server, host = '127.0.0.1'): string =>
  `amqp://${user}:${pass}@${host}:${s.ports.amqp}/${encodeURIComponent(vhost)}`;

async function as(user: string, pass: string, vhost: string): Promise<ChannelModel> {
  const c = await amqplib.connect(url(user, pass, vhost));
  c.on('error', () => undefined);
  return c;
}

/** Runs op on a fresh channel of `c`: 'ok' or the channel-closing error text. */
async function attempt(c: ChannelModel, op: (ch: Channel) => Promise<unknown>): Promise<string> {
  const ch = await c.createChannel();
  let closed: Error | undefined;
  ch.on('error', (e: Error) => {
    closed = e;
  });
  const text = (e: Error): string => {
    const m = /message "(.*)"|(ACCESS_REFUSED - .*|PRECONDITION_FAILED - .*|NOT_FOUND - .*)/.exec(e.message);
    return m ? (m[1] ?? m[2] ?? '') : e.message;
  };
  try {
    await op(ch);
    // Publishes are asynchronous: give a channel error time to arrive.
    await sleep(20);
    if (closed) return text(closed);
    await ch.close();
    return 'ok';
  } catch (e) {
    return text(closed ?? (e as Error));
  }
}

/** connection.open on a raw client: 'ok' or the connection.close reply text (530s). */
async function openVhost(s: TestServer, user: string, pass: string, vhost: string): Promise<string> {
  const raw = await RawClient.tuned(s.ports.amqp as number, { user, password: pass, clientProperties: { capabilities: { authentication_failure_close: true } } });
  raw.send(0, 'connection.open', { virtualHost: vhost });
  for (let i = 0; i < 200; i++) {
    const f = raw.frames.find((x) => x.method === 'connection.open-ok' || x.method === 'connection.close');
    if (f) {
      raw.end();
      return f.method === 'connection.open-ok' ? 'ok' : `${String(f.args?.['replyCode'])} ${String(f.args?.['replyText'])}`;
    }
    await sleep(5);
  }
  raw.end();
  return 'no answer';
}

const denied = (kind: string, name: string): string => `ACCESS_REFUSED - access to ${kind} '${name}' in vhost 'v2' refused for user 'u1'`;

describe('users and permissions (definitions from a real RabbitMQ export)', () => {
  test('password hashes exported by RabbitMQ verify; wrong passwords are refused', async () => {
    const c = await as('u1', 'p1', 'v2');
    await c.close();
    await expect(amqplib.connect(url('u1', 'nope', 'v2'))).rejects.toThrow(/ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN/);
    expect(await openVhost(server, 'u1', 'p1', '/')).toBe("530 NOT_ALLOWED - access to vhost '/' refused for user 'u1'");
    expect(await openVhost(server, 'u1', 'p1', 'v2')).toBe('ok');
  });

  test('permission matrix: configure / write / read per operation', async () => {
    const admin = await as('guest', 'guest', 'v2');
    const setup = await admin.createChannel();
    for (const q of ['cfg-q', 'w-q', 'r-q']) await setup.assertQueue(q, { durable: false });
    for (const x of ['w-x', 'r-x', 'cfg-x']) await setup.assertExchange(x, 'direct', { durable: false });
    const c = await as('u1', 'p1', 'v2');
    const cases: [string, (ch: Channel) => Promise<unknown>, string][] = [
      ['declare queue, configure denied', (ch) => ch.assertQueue('x-q', { durable: false }), denied('queue', 'x-q')],
      ['declare queue, configure allowed', (ch) => ch.assertQueue('cfg-q', { durable: false }), 'ok'],
      ['server-named queue', (ch) => ch.assertQueue('', { exclusive: true }), 'access to queue'],
      ['declare exchange, configure denied', (ch) => ch.assertExchange('x-ex', 'direct', { durable: false }), denied('exchange', 'x-ex')],
      ['declare exchange, configure allowed', (ch) => ch.assertExchange('cfg-x', 'direct', { durable: false }), 'ok'],
      ['passive declares need no permission', (ch) => ch.checkQueue('cfg-q').then(() => ch.checkExchange('amq.direct')), 'ok'],
      ['publish to the default exchange', (ch) => Promise.resolve(ch.sendToQueue('cfg-q', Buffer.from('x'))), denied('exchange', 'amq.default')],
      ['publish, write denied', (ch) => Promise.resolve(ch.publish('amq.direct', 'k', Buffer.from('x'))), denied('exchange', 'amq.direct')],
      ['publish to a missing exchange: 403 before 404', (ch) => Promise.resolve(ch.publish('nope', 'k', Buffer.from('x'))), denied('exchange', 'nope')],
      ['publish, write allowed', (ch) => Promise.resolve(ch.publish('w-x', 'k', Buffer.from('x'))), 'ok'],
      ['get, read denied', (ch) => ch.get('cfg-q'), denied('queue', 'cfg-q')],
      ['get, read allowed', (ch) => ch.get('r-q'), 'ok'],
      ['consume, read denied', (ch) => ch.consume('cfg-q', () => undefined), denied('queue', 'cfg-q')],
      ['consume, read allowed', (ch) => ch.consume('r-q', () => undefined), 'ok'],
      ['purge, read denied', (ch) => ch.purgeQueue('cfg-q'), denied('queue', 'cfg-q')],
      ['bind, write on queue denied', (ch) => ch.bindQueue('cfg-q', 'amq.direct', 'k'), denied('queue', 'cfg-q')],
      ['bind, read on exchange denied', (ch) => ch.bindQueue('w-q', 'amq.direct', 'k'), denied('exchange', 'amq.direct')],
      ['bind, allowed', (ch) => ch.bindQueue('w-q', 'r-x', 'k'), 'ok'],
      ['unbind, write on queue denied', (ch) => ch.unbindQueue('cfg-q', 'r-x', 'k'), denied('queue', 'cfg-q')],
      ['exchange bind, write on destination denied', (ch) => ch.bindExchange('amq.fanout', 'r-x', 'k'), denied('exchange', 'amq.fanout')],
      ['exchange bind, read on source denied', (ch) => ch.bindExchange('w-x', 'amq.direct', 'k'), denied('exchange', 'amq.direct')],
      ['exchange bind, allowed', (ch) => ch.bindExchange('w-x', 'r-x', 'k'), 'ok'],
      ['delete exchange, configure denied', (ch) => ch.deleteExchange('w-x'), denied('exchange', 'w-x')],
      ['delete missing queue, configure denied', (ch) => ch.deleteQueue('x-missing'), denied('queue', 'x-missing')],
      ['declare with a DLX needs read on the queue', (ch) => ch.assertQueue('cfg-dl', { durable: false, arguments: { 'x-dead-letter-exchange': 'w-x' } }), denied('queue', 'cfg-dl')],
      ['delete queue, configure allowed', (ch) => ch.deleteQueue('cfg-q'), 'ok'],
    ];
    const results: [string, string][] = [];
    for (const [name, op, want] of cases) {
      const got = await attempt(c, op);
      results.push([name, want.startsWith('access to') ? (got.includes(want) ? want : got) : got]);
    }
    expect(results).toEqual(cases.map(([name, , want]) => [name, want]));
    await c.close();
    await admin.close();
  });

  test('vhost limits max-connections (530) / max-queues (406); user limits max-connections / max-channels (530)', async () => {
    const s = await startTestServer({
      protocols: ['amqp'],
      resources: {
        amqp: {
          vhosts: ['/', { name: 'small', limits: { 'max-connections': 1, 'max-queues': 1 } }],
          users: [{ name: 'guest', password: 'guest' }, { name: 'lim', password: 'p', limits: { 'max-connections': 1, 'max-channels': 1 } }],
        },
      },
    });
    try {
      const c = await amqplib.connect(url('guest', 'guest', 'small', s));
      expect(await openVhost(s, 'guest', 'guest', 'small')).toBe("530 NOT_ALLOWED - access to vhost 'small' refused for user 'guest': connection limit (1) is reached");
      const ch = await c.createChannel();
      ch.on('error', () => undefined);
      await ch.assertQueue('one', { durable: false });
      await ch.assertQueue('one', { durable: false }); // redeclaring is not a new queue
      await expect(ch.assertQueue('two', { durable: false })).rejects.toThrow("PRECONDITION_FAILED - cannot declare queue 'two': queue limit in vhost 'small' (1) is reached");
      await c.close();
      // The limit counts open connections: after closing, a new one gets in.
      const again = await amqplib.connect(url('guest', 'guest', 'small', s));
      await again.close();
      // User limits (rabbitmqctl set_user_limits), texts as RabbitMQ's.
      const lim = await amqplib.connect(url('lim', 'p', '/', s));
      lim.on('error', () => undefined);
      expect(await openVhost(s, 'lim', 'p', '/')).toBe("530 NOT_ALLOWED - connection refused for user 'lim': user connection limit (1) is reached");
      await lim.createChannel();
      const closed = new Promise<Error>((resolve) => lim.once('close', resolve));
      lim.createChannel().catch(() => undefined);
      expect((await closed).message).toContain("NOT_ALLOWED - number of channels opened for user 'lim' has reached the maximum allowed user limit of (1)");
    } finally {
      await s.stop();
    }
  });
});

describe('vhosts and policies', () => {
  test('vhosts are separate, each with its predeclared exchanges', async () => {
    const root = await (await as('guest', 'guest', '/')).createChannel();
    const v2 = await (await as('guest', 'guest', 'v2')).createChannel();
    for (const x of ['amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match', 'amq.rabbitmq.trace']) await v2.checkExchange(x);
    await root.assertQueue('same-name', { durable: false });
    await v2.assertQueue('same-name', { durable: false });
    root.sendToQueue('same-name', Buffer.from('root'));
    await sleep(20);
    expect(await v2.get('same-name')).toBe(false);
    expect(((await root.get('same-name', { noAck: true })) as GetMessage).content.toString()).toBe('root');
    const onlyV2 = await (await as('guest', 'guest', '/')).createChannel();
    onlyV2.on('error', () => undefined);
    await expect(onlyV2.checkQueue('pol-work')).rejects.toThrow("NOT_FOUND - no queue 'pol-work' in vhost '/'");
  });

  test('the highest-priority matching policy applies: message-ttl + dead-letter-exchange', async () => {
    const ch = await (await as('guest', 'guest', 'v2')).createChannel();
    ch.sendToQueue('pol-work', Buffer.from('expires'));
    await ch.assertQueue('pol-new', { durable: false });
    ch.sendToQueue('pol-new', Buffer.from('also'));
    await sleep(150);
    expect(await ch.get('pol-work')).toBe(false);
    const got: string[] = [];
    for (let m = await ch.get('dead', { noAck: true }); m; m = await ch.get('dead', { noAck: true })) got.push(m.content.toString());
    expect(got.sort()).toEqual(['also', 'expires']);
  });
});

describe('policy precedence', () => {
  test('limits take the lower of policy and argument; quorum delivery-limit and alternate-exchange from policies', async () => {
    const s = await startTestServer({
      protocols: ['amqp'],
      resources: {
        amqp: {
          policies: [
            { vhost: '/', name: 'len', pattern: '^len\\.', 'apply-to': 'classic_queues', priority: 0, definition: { 'max-length': 2 } },
            { vhost: '/', name: 'qq', pattern: '^qq\\.', 'apply-to': 'quorum_queues', priority: 0, definition: { 'delivery-limit': 1 } },
            { vhost: '/', name: 'other-type', pattern: '^qq\\.', 'apply-to': 'streams', priority: 9, definition: { 'max-age': '1D' } },
            { vhost: '/', name: 'ae', pattern: '^routed\\.', 'apply-to': 'exchanges', priority: 0, definition: { 'alternate-exchange': 'amq.fanout' } },
          ],
        },
      },
    });
    try {
      const c = await amqplib.connect(url('guest', 'guest', '/', s));
      const ch = await c.createChannel();
      await ch.assertQueue('len.a', { durable: false });
      await ch.assertQueue('len.b', { durable: false, arguments: { 'x-max-length': 1 } });
      for (const q of ['len.a', 'len.b']) for (const b of ['1', '2', '3']) ch.sendToQueue(q, Buffer.from(b));
      await sleep(30);
      expect((await ch.checkQueue('len.a')).messageCount).toBe(2);
      expect((await ch.checkQueue('len.b')).messageCount).toBe(1);
      await ch.assertQueue('qq.work', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      ch.sendToQueue('qq.work', Buffer.from('poison'));
      await sleep(20);
      for (let i = 0; i < 2; i++) {
        const m = (await ch.get('qq.work')) as GetMessage;
        expect(m.content.toString()).toBe('poison');
        ch.nack(m, false, true);
        await sleep(10);
      }
      // Returned twice with a limit of 1: dropped (no dead-letter exchange).
      expect(await ch.get('qq.work')).toBe(false);
      // An alternate-exchange policy catches what an exchange without the argument cannot route.
      await ch.assertExchange('routed.x', 'direct', { durable: false });
      const caught = (await ch.assertQueue('', { exclusive: true })).queue;
      await ch.bindQueue(caught, 'amq.fanout', '');
      ch.publish('routed.x', 'nowhere', Buffer.from('to-ae'));
      await sleep(20);
      expect(((await ch.get(caught, { noAck: true })) as GetMessage).content.toString()).toBe('to-ae');
      await c.close();
    } finally {
      await s.stop();
    }
  });
});

describe('loopback users and startup errors', () => {
  const external = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address;

  test.skipIf(!external)('guest may log in only from loopback unless loopback_users allows it', async () => {
    const s = await startTestServer({ protocols: ['amqp'], host: '0.0.0.0' });
    const open = await startTestServer({ protocols: ['amqp'], host: '0.0.0.0', resources: { amqp: { loopback_users: [] } } });
    const viaEnv = await startTestServer({ protocols: ['amqp'], host: '0.0.0.0', extra: { AMQP_LOOPBACK_USERS: 'none' } });
    try {
      await (await amqplib.connect(url('guest', 'guest', '/', viaEnv, external))).close();
      await expect(amqplib.connect(url('guest', 'guest', '/', s, external))).rejects.toThrow("ACCESS_REFUSED - PLAIN login refused: user 'guest' can only connect via localhost");
      await (await amqplib.connect(url('guest', 'guest', '/', s))).close();
      await (await amqplib.connect(url('guest', 'guest', '/', open, external))).close();
    } finally {
      await s.stop();
      await open.stop();
      await viaEnv.stop();
    }
  });

  test('a malformed definitions file is a startup error naming the JSON path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnibroker-defs-'));
    const write = (name: string, body: unknown): string => {
      const f = join(dir, name);
      writeFileSync(f, typeof body === 'string' ? body : JSON.stringify(body));
      return f;
    };
    const cases: [string, RegExp][] = [
      [write('bad-json.json', '{"users": ['), /bad-json\.json: not valid JSON/],
      [write('bad-hash.json', { users: [{ name: 'u', password_hash: '!!', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: [] }] }), /bad-hash\.json \$\.users\[0\]\.password_hash: expected base64/],
      [write('bad-perm.json', { users: [], vhosts: [{ name: '/' }], permissions: [{ user: 'ghost', vhost: '/', configure: '.*', write: '.*', read: '.*' }] }), /bad-perm\.json \$\.permissions\[0\]\.user: user 'ghost' is not defined/],
      [write('bad-policy.json', { vhosts: [{ name: '/' }], policies: [{ vhost: '/', name: 'ha', pattern: '.*', 'apply-to': 'queues', definition: { 'ha-mode': 'all' }, priority: 0 }] }), /bad-policy\.json \$\.policies\[0\]\.definition\.ha-mode: classic queue mirroring was removed/],
      [write('bad-delayed.json', { vhosts: [{ name: '/' }], exchanges: [{ name: 'd', vhost: '/', type: 'x-delayed-message', durable: true, auto_delete: false, internal: false, arguments: {} }] }), /bad-delayed\.json \$\.exchanges\[0\]\.arguments\.x-delayed-type: Invalid argument/],
      [write('bad-queue.json', { vhosts: [{ name: '/' }], queues: [{ name: 'q', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-message-ttl': -1 } }] }), /bad-queue\.json \$\.queues\[0\]\.arguments: PRECONDITION_FAILED - invalid arg 'x-message-ttl'/],
    ];
    for (const [file, want] of cases) {
      await expect(startTestServer({ protocols: ['amqp'], resources: { amqp: { load_definitions: file } } })).rejects.toThrow(want);
    }
  });
});


const PIKA_PERMS = `
import json, sys, pika
params = pika.ConnectionParameters(host="127.0.0.1", port=int(sys.argv[1]), virtual_host="v2", credentials=pika.PlainCredentials("u1", "p1"))
conn = pika.BlockingConnection(params)
out = {}
try:
    conn.channel().queue_declare("x-q")
except pika.exceptions.ChannelClosedByBroker as e:
    out["declare"] = [e.reply_code, e.reply_text]
ch = conn.channel()
ch.queue_declare("cfg-pika", durable=False)
out["allowed"] = True
conn.close()
print(json.dumps(out))
`;

test.skipIf(!hasPika)('pika: permission denial and grant', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(PYTHON, ['-c', PIKA_PERMS, String(server.ports.amqp)], { timeout: 20000 }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)));
  });
  expect(JSON.parse(stdout)).toEqual({ declare: [403, "ACCESS_REFUSED - access to queue 'x-q' in vhost 'v2' refused for user 'u1'"], allowed: true });
});
