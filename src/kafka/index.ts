// Kafka front-end entry point: loads the message definitions, builds the API registry and the
// broker state, predeclares topics from the --config document, and serves one KafkaConnection
// per socket on the shared TCP listener. SASL users come from the section's "users" and
// KAFKA_SASL_USERS; listeners mapped to SASL_PLAINTEXT authenticate first (sasl/).
import { randomBytes } from 'node:crypto';
import type { FrontEndModule, FrontEndState } from '../shared/front-end.js';
import { expectArray, expectInteger, expectObject, expectString, expectStringMap, optional, ShapeError } from '../shared/json-shape.js';
import { listenTcp, type TcpServer } from '../shared/tcp-server.js';
import { fileStoreOf } from '../core/index.js';
import { buildRegistry } from './apis/index.js';
import { invalidTopicName, KafkaBroker, settingsFrom } from './broker.js';
import { inRange, loadMessages } from './codec.js';
import { KafkaConnection } from './connection.js';
import { KafkaPersistence } from './persistence.js';
import { recoverProducerState } from './producer-recovery.js';
import { planListeners, type Advertised } from './listeners.js';
import { validateTopicConfig } from './topic-configs.js';
import { exactlyOnce } from './exactly-once.js';
import { startLogCleaner } from './log-cleaner.js';
import { buildCredentials, enabledMechanisms, readUsers, usersFromEnv, usersFromJaas } from './sasl/config.js';
import { persistScram } from './sasl/persistence.js';
import type { SaslListener } from './sasl/session.js';
import { Authorizer, authorizerSettings } from './acl/authorizer.js';
import { persistAcls } from './acl/persistence.js';
import { readAcls } from './acl/config.js';

interface TopicDecl {
  name: string;
  partitions: number;
  configs: Record<string, string>;
}

function readTopics(section: unknown, path: string): TopicDecl[] {
  const obj = expectObject(section, path, ['topics', 'users', 'acls']);
  const list = optional(obj, 'topics', path, expectArray) ?? [];
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const p = `${path}.topics[${i}]`;
    const t = expectObject(raw, p, ['name', 'partitions', 'configs']);
    const name = expectString(t.name, `${p}.name`);
    const invalid = invalidTopicName(name);
    if (invalid) throw new ShapeError(`${p}.name`, invalid);
    if (seen.has(name)) throw new ShapeError(`${p}.name`, `topic '${name}' is declared twice`);
    seen.add(name);
    const configs = optional(t, 'configs', p, expectStringMap) ?? {};
    for (const [k, v] of Object.entries(configs)) {
      const problem = validateTopicConfig(k, v);
      if (problem) throw new ShapeError(`${p}.configs.${k}`, problem);
    }
    return { name, partitions: optional(t, 'partitions', p, (v, q) => expectInteger(v, q, 1, 100_000)) ?? 1, configs };
  });
}

/** Kafka-style cluster id: 16 random bytes, URL-safe base64 without padding. */
function clusterId(): string {
  return randomBytes(16).toString('base64url');
}

export const kafka: FrontEndModule = {
  name: 'kafka',
  checkResources(section, path) {
    readTopics(section, path);
    readUsers(expectObject(section, path), path);
    readAcls(expectObject(section, path), path);
  },
  async start(core, config, log) {
    const messages = loadMessages();
    const apis = buildRegistry();
    for (const api of apis.values()) {
      const def = messages.get(api.key);
      if (!def || !inRange(def.validVersions, api.minVersion) || !inRange(def.validVersions, api.maxVersion)) {
        throw new Error(`protocols/kafka/messages has no definition covering ${api.name} v${api.minVersion}-${api.maxVersion}`);
      }
    }
    const broker = new KafkaBroker(core, settingsFrom(config.extra, core.store.kind === 'file' ? config.dataDir : undefined), messages, log, config.advertisedHost, config.kafkaPort, clusterId());
    // With --data-dir: rebuild topics, batches and offsets before declared topics are added.
    const files = fileStoreOf(core.store);
    const section = config.resources.kafka === undefined ? undefined : expectObject(config.resources.kafka, '$.kafka');
    const declaredAcls = section === undefined ? [] : readAcls(section, '$.kafka');
    const authz = authorizerSettings(config.extra);
    if (authz) {
      broker.authorizer = new Authorizer(authz);
      if (files) persistAcls(files, broker.authorizer);
      broker.authorizer.store.add(declaredAcls);
    } else if (declaredAcls.length > 0) {
      log.warn('the ACLs in --config (kafka.acls) are not applied: no authorizer is configured (set KAFKA_AUTHORIZER_CLASS_NAME)');
    }
    if (files) {
      broker.persistence = await KafkaPersistence.recover(core, files, log, (id) => broker.groups.ensure(id), broker.settings.memoryCacheBytes);
      broker.persistence.recoverTransactions(exactlyOnce(broker));
      const aborted = recoverProducerState(broker);
      if (aborted > 0) log.warn({ aborted }, 'transactions left open by the previous run were aborted');
      await broker.persistence.settle();
    }
    const declaredUsers = section === undefined ? [] : readUsers(section, '$.kafka');
    broker.credentials = await buildCredentials([...declaredUsers, ...usersFromJaas(config.extra), ...usersFromEnv(config.extra)]);
    if (files) persistScram(files, broker.credentials);
    if (section !== undefined) {
      for (const t of readTopics(section, '$.kafka')) {
        if (!core.topics.get(t.name)) core.topics.create(t.name, t.partitions, new Map(Object.entries(t.configs)));
      }
    }
    const plan = planListeners(config.extra, config.kafkaPort);
    // Advertised addresses are completed once each socket is bound (port 0 = ephemeral).
    const advertisedFor = (name: string, bindHost: string): Advertised => {
      const a = plan.advertised.get(name);
      const wildcard = bindHost === '' || bindHost === '0.0.0.0' || bindHost === '::';
      return { name, host: a?.host || (wildcard ? config.advertisedHost : bindHost), port: a?.port ?? 0 };
    };
    const saslFor = (name: string): SaslListener | null => (plan.protocolOf(name) === 'SASL_PLAINTEXT' ? { mechanisms: enabledMechanisms(config.extra, name) } : null);
    const open = async (name: string, host: string, port: number, flag: string, advertised: Advertised): Promise<TcpServer> => {
      const sasl = saslFor(name);
      const server = await listenTcp({
        host,
        port,
        label: name === plan.primary ? 'Kafka' : `Kafka listener ${name}`,
        flag,
        log,
        onConnection(socket, id) {
          log.debug({ proto: 'kafka', conn: id, listener: name, remote: socket.remoteAddress }, 'connection opened');
          const conn = new KafkaConnection(socket, id, broker, apis, log, advertised, sasl);
          return { shutdown: () => conn.close('server shutting down') };
        },
      });
      if (advertised.port === 0) advertised.port = server.port;
      return server;
    };
    const primary = { ...advertisedFor(plan.primary, ''), host: plan.advertised.get(plan.primary)?.host || config.advertisedHost };
    const server = await open(plan.primary, config.host, config.kafkaPort, '--kafka-port', primary);
    const servers: TcpServer[] = [server];
    const bound = new Map([[plan.primary, server.port]]);
    try {
      for (const l of plan.extra) {
        const s = await open(l.name, l.host || config.host, l.port, 'KAFKA_LISTENERS', advertisedFor(l.name, l.host));
        servers.push(s);
        bound.set(l.name, s.port);
      }
    } catch (err) {
      for (const s of servers) await s.close();
      throw err;
    }
    broker.port = server.port;
    broker.listenersText = { ...plan.describe(bound, config.advertisedHost), protocolMap: [...bound.keys()].map((n) => `${n}:${plan.protocolOf(n)}`).join(','), primary: plan.primary };
    broker.startRetention();
    const backoff = Number(config.extra.KAFKA_LOG_CLEANER_BACKOFF_MS ?? '');
    const cleaner = startLogCleaner(broker, Number.isFinite(backoff) && backoff > 0 ? backoff : 15_000);
    let state: FrontEndState = 'running';
    return {
      name: 'kafka',
      port: server.port,
      url: `${config.advertisedHost}:${server.port}`,
      state: () => state,
      async close() {
        state = 'stopping';
        broker.stopRetention();
        broker.consumerGroups.close();
        exactlyOnce(broker).txns.close();
        cleaner.stop();
        for (const s of servers) await s.close();
        await broker.persistence?.drain();
        state = 'stopped';
      },
    };
  },
};
