// Where SASL users and mechanisms come from.
//   --config:  "kafka": { "users": [ { "name": "alice", "password": "alice-secret",
//                 "mechanisms": ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"], "iterations": 4096 } ] }
//              (mechanisms default to all three, iterations to Kafka's 4096, range 4096..16384)
//   env:       KAFKA_SASL_USERS=alice:alice-secret,bob:bob-secret (all three mechanisms each);
//              PLAIN users of a PlainLoginModule JAAS text, as Kafka's Docker images take it:
//              KAFKA_LISTENER_NAME_<NAME>_PLAIN_SASL_JAAS_CONFIG / KAFKA_SASL_JAAS_CONFIG with
//              user_<name>="<password>" entries (pooled for every listener here)
//   listeners: KAFKA_SASL_ENABLED_MECHANISMS (sasl.enabled.mechanisms), per listener
//              KAFKA_LISTENER_NAME_<NAME>_SASL_ENABLED_MECHANISMS; default here
//              PLAIN,SCRAM-SHA-256,SCRAM-SHA-512 (Kafka's default, GSSAPI, is not supported).
// Passwords are turned into credentials at startup and not kept (credentials.ts).
import { expectArray, expectInteger, expectObject, expectString, optional, ShapeError } from '../../shared/json-shape.js';
import { StartupError } from '../../shared/startup-error.js';
import { CredentialStore, DEFAULT_ITERATIONS, isScram, SCRAM, scramFromPassword } from './credentials.js';

export const SUPPORTED_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

export interface UserDecl {
  name: string;
  password: string;
  mechanisms: string[];
  iterations: number;
}

function mechanismList(raw: string[], where: string, fail: (msg: string) => Error): string[] {
  const out: string[] = [];
  for (const m of raw) {
    const name = m.trim().toUpperCase();
    if (name === '') continue;
    if (!(SUPPORTED_MECHANISMS as readonly string[]).includes(name)) {
      throw fail(`${where}: SASL mechanism '${m.trim()}' is not supported (supported: ${SUPPORTED_MECHANISMS.join(', ')})`);
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** The `users` array of the kafka --config section. */
export function readUsers(section: Record<string, unknown>, path: string): UserDecl[] {
  const list = optional(section, 'users', path, expectArray) ?? [];
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const p = `${path}.users[${i}]`;
    const u = expectObject(raw, p, ['name', 'password', 'mechanisms', 'iterations']);
    const name = expectString(u.name, `${p}.name`);
    if (name === '') throw new ShapeError(`${p}.name`, 'must not be empty');
    if (seen.has(name)) throw new ShapeError(`${p}.name`, `user '${name}' is declared twice`);
    seen.add(name);
    const password = expectString(u.password, `${p}.password`);
    if (password === '') throw new ShapeError(`${p}.password`, 'must not be empty');
    const rawMechs = optional(u, 'mechanisms', p, expectArray)?.map((m, j) => expectString(m, `${p}.mechanisms[${j}]`));
    const mechanisms = rawMechs ? mechanismList(rawMechs, `${p}.mechanisms`, (msg) => new ShapeError(`${p}.mechanisms`, msg)) : [...SUPPORTED_MECHANISMS];
    const iterations = optional(u, 'iterations', p, (v, q) => expectInteger(v, q, SCRAM['SCRAM-SHA-256'].minIterations, SCRAM['SCRAM-SHA-256'].maxIterations)) ?? DEFAULT_ITERATIONS;
    return { name, password, mechanisms, iterations };
  });
}

/** KAFKA_SASL_USERS=name:password,... (a password may contain ':' but not ','). */
export function usersFromEnv(extra: Record<string, string>): UserDecl[] {
  const raw = extra.KAFKA_SASL_USERS;
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '').map((entry) => {
    const sep = entry.indexOf(':');
    if (sep <= 0 || sep === entry.length - 1) throw new StartupError(`KAFKA_SASL_USERS: '${entry.slice(0, Math.max(sep, 0))}…' is not name:password`);
    return { name: entry.slice(0, sep), password: entry.slice(sep + 1), mechanisms: [...SUPPORTED_MECHANISMS], iterations: DEFAULT_ITERATIONS };
  });
}

const JAAS_KEY = /^KAFKA_(?:LISTENER_NAME_[A-Z0-9_]+_PLAIN_)?SASL_JAAS_CONFIG$/;
const JAAS_USER = /\buser_([^\s="]+)\s*=\s*"([^"]*)"/g;

/** PLAIN users (`user_<name>="<password>"`) from PlainLoginModule JAAS texts in the environment. */
export function usersFromJaas(extra: Record<string, string>): UserDecl[] {
  const out: UserDecl[] = [];
  for (const [key, text] of Object.entries(extra)) {
    if (!JAAS_KEY.test(key) || !text.includes('PlainLoginModule')) continue;
    for (const m of text.matchAll(JAAS_USER)) out.push({ name: m[1] as string, password: m[2] as string, mechanisms: ['PLAIN'], iterations: DEFAULT_ITERATIONS });
  }
  return out;
}

/** sasl.enabled.mechanisms for one listener. */
export function enabledMechanisms(extra: Record<string, string>, listener: string): string[] {
  const key = `KAFKA_LISTENER_NAME_${listener.toUpperCase()}_SASL_ENABLED_MECHANISMS`;
  const raw = extra[key] ?? extra.KAFKA_SASL_ENABLED_MECHANISMS;
  const which = extra[key] !== undefined ? key : 'KAFKA_SASL_ENABLED_MECHANISMS';
  if (raw === undefined) return [...SUPPORTED_MECHANISMS];
  const list = mechanismList(raw.split(','), which, (msg) => new StartupError(msg));
  if (list.length === 0) throw new StartupError(`${which}: a SASL listener needs at least one mechanism`);
  return list;
}

/** Builds the credential store; a later declaration of a user's mechanism replaces an earlier one. */
export async function buildCredentials(users: UserDecl[]): Promise<CredentialStore> {
  const store = new CredentialStore();
  const byKey = new Map<string, { user: UserDecl; mechanism: string }>();
  for (const u of users) for (const m of u.mechanisms) byKey.set(`${m}\u0000${u.name}`, { user: u, mechanism: m });
  await Promise.all(
    [...byKey.values()].map(async ({ user: u, mechanism: m }) => {
      if (m === 'PLAIN') await store.addPlain(u.name, u.password);
      else if (isScram(m)) store.loadScram(m, u.name, await scramFromPassword(m, u.password, u.iterations));
    }),
  );
  return store;
}
