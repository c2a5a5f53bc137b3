// connection.* handlers (channel 0): start-ok (PLAIN, AMQPLAIN, ANONYMOUS), tune-ok with
// RabbitMQ's negotiation limits, open (vhost and permission check), close / close-ok,
// update-secret (password users: answered ok, as RabbitMQ's internal backend does).
// Not supported: secure/secure-ok (no challenge mechanism is offered).

import { plainTable, Reader, type FieldTable, type MethodArgs } from '../codec.js';
import { unexpectedMethod, type Connection } from '../connection.js';
import { err } from '../errors.js';
import { isLoopback } from '../access.js';

type Handler = (c: Connection, args: MethodArgs) => void;

function expectState(c: Connection, state: Connection['state']): void {
  if (c.state !== state) throw unexpectedMethod(c.state);
}

function credentials(mechanism: string, response: Buffer): { user: string; password: string } | undefined {
  if (mechanism === 'PLAIN') {
    // authzid \0 authcid \0 password (RFC 4616)
    const parts = response.toString('utf8').split('\u0000');
    if (parts.length !== 3) throw err('SYNTAX_ERROR', 'response PLAIN is malformed');
    return { user: parts[1] as string, password: parts[2] as string };
  }
  if (mechanism === 'AMQPLAIN') {
    // A field table's contents without its length prefix (RabbitMQ's AMQPLAIN).
    const withLength = Buffer.allocUnsafe(response.length + 4);
    withLength.writeUInt32BE(response.length, 0);
    response.copy(withLength, 4);
    let table: FieldTable;
    try {
      table = new Reader(withLength).table();
    } catch {
      throw err('SYNTAX_ERROR', 'response AMQPLAIN is malformed');
    }
    const t = plainTable(table);
    return { user: String(t['LOGIN'] ?? ''), password: String(t['PASSWORD'] ?? '') };
  }
  return undefined;
}

const startOk: Handler = (c, a) => {
  expectState(c, 'start');
  c.clientProperties = plainTable(a['clientProperties'] as FieldTable);
  const caps = c.clientProperties['capabilities'];
  c.capabilities = typeof caps === 'object' && caps !== null ? (caps as Record<string, unknown>) : {};
  const mechanism = a['mechanism'] as string;
  const settings = c.ctx.settings;
  if (!settings.mechanisms.includes(mechanism)) {
    // RabbitMQ closes silently after a 3 s delay (SILENT_CLOSE_DELAY) on an unknown mechanism.
    c.log.info({ mechanism }, 'unsupported authentication mechanism');
    c.state = 'closed';
    setTimeout(() => c.socket.destroy(), 3000).unref();
    return;
  }
  // ANONYMOUS logs in as RabbitMQ 4's anonymous_login_user, guest.
  let user = 'guest';
  let account = settings.users.get('guest');
  let ok = account !== undefined;
  if (mechanism !== 'ANONYMOUS') {
    const cred = credentials(mechanism, a['response'] as Buffer);
    account = cred ? settings.users.get(cred.user) : undefined;
    ok = cred !== undefined && account !== undefined && account.checkPassword(cred.password);
    user = cred?.user ?? '';
  }
  if (ok && settings.loopbackUsers.includes(user) && !isLoopback(c.socket.remoteAddress)) {
    // rabbit_reader:auth_fail with rabbit_access_control:check_user_loopback's reason.
    c.log.info({ user, peer: c.socket.remoteAddress }, 'login refused: loopback-only user');
    refuse(c, `ACCESS_REFUSED - ${mechanism} login refused: user '${user}' can only connect via localhost`);
    return;
  }
  if (!ok) {
    c.log.info({ user }, 'login refused');
    if (c.capabilities['authentication_failure_close'] === true) {
      c.startClose(403, `ACCESS_REFUSED - Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`);
    } else {
      c.state = 'closed';
      c.socket.end();
    }
    return;
  }
  c.user = user;
  c.account = account;
  c.state = 'tune';
  c.sendMethod(0, 'connection.tune', { channelMax: settings.channelMax, frameMax: settings.frameMax, heartbeat: settings.heartbeat });
};

/** RabbitMQ's validate_negotiated_integer_value, texts included. */
function negotiate(field: string, min: number, server: number, client: number): void {
  const detail = field === 'channel_max' && client === 0 ? ' (no limit)' : '';
  if (client !== 0 && client < min) {
    throw err('NOT_ALLOWED', `negotiated ${field} = ${client}${detail} is lower than the minimum allowed value (${min})`);
  }
  if (server !== 0 && (client === 0 || client > server)) {
    throw err('NOT_ALLOWED', `negotiated ${field} = ${client}${detail} is higher than the maximum allowed value (${server})`);
  }
}

const tuneOk: Handler = (c, a) => {
  expectState(c, 'tune');
  const s = c.ctx.settings;
  const frameMax = a['frameMax'] as number;
  const channelMax = a['channelMax'] as number;
  negotiate('frame_max', 8192, s.frameMax, frameMax);
  negotiate('channel_max', 1, s.channelMax, channelMax);
  c.applyTune(frameMax, channelMax, a['heartbeat'] as number);
  c.state = 'open';
};

/** A refused login: 403 close for clients that asked for it, else a plain close (RabbitMQ). */
function refuse(c: Connection, text: string): void {
  if (c.capabilities['authentication_failure_close'] === true) c.startClose(403, text);
  else {
    c.state = 'closed';
    c.socket.end();
  }
}

const open: Handler = (c, a) => {
  expectState(c, 'open');
  const name = a['virtualHost'] as string;
  const vhost = c.ctx.vhosts.get(name);
  if (!vhost) throw err('NOT_ALLOWED', `vhost ${name} not found`);
  // rabbit_reader: vhost access first, then the vhost's connection limit.
  if (!c.account?.canOpen(name)) throw err('NOT_ALLOWED', `access to vhost '${name}' refused for user '${c.user}'`);
  if (vhost.maxConnections !== undefined) {
    let n = 0;
    for (const other of c.ctx.connections) if (other.vhost === vhost && other.state === 'running') n++;
    if (n >= vhost.maxConnections) throw err('NOT_ALLOWED', `access to vhost '${name}' refused for user '${c.user}': connection limit (${vhost.maxConnections}) is reached`);
  }
  const userLimit = c.account.maxConnections;
  if (userLimit !== undefined) {
    let n = 0;
    for (const other of c.ctx.connections) if (other.account === c.account && other.state === 'running') n++;
    if (n >= userLimit) throw err('NOT_ALLOWED', `connection refused for user '${c.user}': user connection limit (${userLimit}) is reached`);
  }
  c.vhost = vhost;
  c.state = 'running';
  c.sendMethod(0, 'connection.open-ok', { knownHosts: '' });
};

const close: Handler = (c) => {
  c.sendMethod(0, 'connection.close-ok', {});
  c.state = 'closing';
  c.socket.end();
};

const closeOk: Handler = (c) => {
  c.socket.destroy();
};

const updateSecret: Handler = (c) => {
  expectState(c, 'running');
  c.sendMethod(0, 'connection.update-secret-ok', {});
};

/** connection.start: RabbitMQ's server properties and capabilities, our mechanisms. */
export function sendStart(c: Connection): void {
  c.sendMethod(0, 'connection.start', {
    versionMajor: 0,
    versionMinor: 9,
    serverProperties: {
      capabilities: {
        publisher_confirms: true,
        exchange_exchange_bindings: true,
        'basic.nack': true,
        consumer_cancel_notify: true,
        'connection.blocked': true,
        consumer_priorities: true,
        authentication_failure_close: true,
        per_consumer_qos: true,
        direct_reply_to: true,
      },
      cluster_name: 'omnibroker@localhost',
      copyright: 'omnibroker, MIT licence',
      information: 'omnibroker: an AMQP 0-9-1 broker speaking the RabbitMQ dialect, for development and CI',
      platform: `Node.js ${process.version}`,
      product: c.ctx.product,
      version: c.ctx.version,
    },
    mechanisms: Buffer.from(c.ctx.settings.mechanisms.join(' ')),
    locales: Buffer.from('en_US'),
  });
}

export const CONNECTION_METHODS: Record<string, Handler> = {
  'connection.start-ok': startOk,
  'connection.tune-ok': tuneOk,
  'connection.open': open,
  'connection.close': close,
  'connection.close-ok': closeOk,
  'connection.update-secret': updateSecret,
};
