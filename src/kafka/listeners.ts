// Several listeners, configured the way Kafka's Docker images are:
//   KAFKA_LISTENERS=PLAINTEXT://0.0.0.0:9092,DOCKER://0.0.0.0:29092
//   KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://localhost:9092,DOCKER://omnibroker:29092
// so a container and the host can both connect: Metadata, FindCoordinator and DescribeCluster
// answer with the advertised address of the listener the request came in on (Kafka's
// per-listener metadata). The --kafka-port listener is the one whose port matches it in
// KAFKA_LISTENERS (else the first entry, else "PLAINTEXT"); every other entry gets its own
// socket. KAFKA_LISTENER_SECURITY_PROTOCOL_MAP may map names to PLAINTEXT or SASL_PLAINTEXT
// (SASL authentication, see sasl/session.ts); SSL and SASL_SSL are refused at startup rather
// than served without TLS.
import { StartupError } from '../shared/startup-error.js';

export interface ListenerSpec {
  name: string;
  host: string;
  port: number;
}

/** The address a client is told to use for this broker on one listener. */
export interface Advertised {
  name: string;
  host: string;
  port: number;
}

const DEFAULT_PROTOCOLS = new Set(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']);
const SERVED_PROTOCOLS = new Set(['PLAINTEXT', 'SASL_PLAINTEXT']);
const ENTRY = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[^\]]*\]|[^:/]*):(\d{1,5})$/;

export function parseListeners(raw: string | undefined, key: string): ListenerSpec[] {
  if (raw === undefined || raw.trim() === '') return [];
  const out: ListenerSpec[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = ENTRY.exec(part);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port > 65535) throw new StartupError(`${key}: '${part}' is not NAME://host:port`);
    const name = (m[1] as string).toUpperCase();
    if (out.some((l) => l.name === name)) throw new StartupError(`${key}: listener name ${name} appears twice`);
    out.push({ name, host: (m[2] as string).replace(/^\[|\]$/g, ''), port });
  }
  return out;
}

export interface ListenerPlan {
  /** Name of the listener on --kafka-port. */
  primary: string;
  /** Further sockets to open. */
  extra: ListenerSpec[];
  /** Advertised address per listener name (port 0 = the port actually bound). */
  advertised: Map<string, ListenerSpec>;
  /** The security protocol of a listener: PLAINTEXT or SASL_PLAINTEXT. */
  protocolOf(name: string): string;
  /** The raw listeners/advertised.listeners strings DescribeConfigs reports. */
  describe(bound: Map<string, number>, fallbackHost: string): { listeners: string; advertised: string };
}

export function planListeners(extra: Record<string, string>, kafkaPort: number): ListenerPlan {
  const listeners = parseListeners(extra.KAFKA_LISTENERS, 'KAFKA_LISTENERS');
  const advertisedList = parseListeners(extra.KAFKA_ADVERTISED_LISTENERS, 'KAFKA_ADVERTISED_LISTENERS');
  const protocols = new Map<string, string>();
  for (const pair of (extra.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [name, proto] = pair.split(':');
    if (!name || !proto) throw new StartupError(`KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: '${pair}' is not NAME:PROTOCOL`);
    protocols.set(name.toUpperCase(), proto.toUpperCase());
  }
  // Kafka's default map names SSL/SASL listeners after their protocol; other unmapped names
  // are taken as PLAINTEXT here (Kafka would refuse to start without a mapping).
  const protocolOf = (name: string): string => protocols.get(name) ?? (DEFAULT_PROTOCOLS.has(name) ? name : 'PLAINTEXT');
  const primarySpec = listeners.find((l) => l.port === kafkaPort) ?? listeners[0];
  const primary = primarySpec?.name ?? advertisedList[0]?.name ?? 'PLAINTEXT';
  for (const name of new Set([primary, ...listeners.map((l) => l.name), ...advertisedList.map((l) => l.name)])) {
    const proto = protocolOf(name);
    if (!SERVED_PROTOCOLS.has(proto)) throw new StartupError(`listener ${name}: only PLAINTEXT and SASL_PLAINTEXT listeners are supported (security protocol ${proto})`);
  }
  const others = listeners.filter((l) => l.name !== primary);
  for (const a of advertisedList) {
    if (a.name !== primary && !others.some((l) => l.name === a.name)) throw new StartupError(`KAFKA_ADVERTISED_LISTENERS: listener ${a.name} is not in KAFKA_LISTENERS`);
  }
  const advertised = new Map(advertisedList.map((a) => [a.name, a]));
  return {
    primary,
    extra: others,
    advertised,
    protocolOf,
    describe(bound, fallbackHost) {
      const names = [primary, ...others.map((o) => o.name)];
      const listenersText = names.map((n) => {
        const spec = n === primary ? primarySpec : others.find((o) => o.name === n);
        return `${n}://${spec?.host ?? ''}:${bound.get(n) ?? spec?.port ?? 0}`;
      });
      const advertisedText = names.map((n) => {
        const a = advertised.get(n);
        return `${n}://${a?.host || fallbackHost}:${a && a.port !== 0 ? a.port : (bound.get(n) ?? 0)}`;
      });
      return { listeners: listenersText.join(','), advertised: advertisedText.join(',') };
    },
  };
}
