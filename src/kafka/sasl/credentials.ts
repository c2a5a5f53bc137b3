// The broker's SASL user database. SCRAM credentials are kept the way Kafka keeps them
// (ScramCredential: salt, iterations, StoredKey, ServerKey; RFC 5802 section 3), never the
// password. PLAIN needs the password only to compare it, so it is kept as a salted
// PBKDF2-HMAC-SHA-256 digest and checked off the event loop. PLAIN and SCRAM credentials are
// separate, as in Kafka (JAAS users versus SCRAM metadata): AlterUserScramCredentials changes
// SCRAM only.
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

interface ScramSpec {
  /** Kafka's ScramMechanism type byte (DescribeUserScramCredentials, AlterUserScramCredentials). */
  type: number;
  hash: 'sha256' | 'sha512';
  keyLength: number;
  /** Kafka's ScramMechanism bounds: 4096 .. 16384 for both hashes. */
  minIterations: number;
  maxIterations: number;
}

export const SCRAM: Record<ScramMechanism, ScramSpec> = {
  'SCRAM-SHA-256': { type: 1, hash: 'sha256', keyLength: 32, minIterations: 4096, maxIterations: 16384 },
  'SCRAM-SHA-512': { type: 2, hash: 'sha512', keyLength: 64, minIterations: 4096, maxIterations: 16384 },
};

/** Kafka's default iteration count (kafka-configs --add-config 'SCRAM-SHA-256=[password=...]'). */
export const DEFAULT_ITERATIONS = 4096;

export function isScram(mechanism: string): mechanism is ScramMechanism {
  return mechanism === 'SCRAM-SHA-256' || mechanism === 'SCRAM-SHA-512';
}

export function scramByType(type: number): ScramMechanism | undefined {
  return (Object.keys(SCRAM) as ScramMechanism[]).find((m) => SCRAM[m].type === type);
}

export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

interface PlainCredential {
  salt: Buffer;
  digest: Buffer;
}

const PLAIN_ITERATIONS = 4096;

function plainDigest(password: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, PLAIN_ITERATIONS, 32, 'sha256');
}

export function hmac(mechanism: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(SCRAM[mechanism].hash, key).update(data).digest();
}

export function digest(mechanism: ScramMechanism, data: Buffer): Buffer {
  return createHash(SCRAM[mechanism].hash).update(data).digest();
}

/** StoredKey and ServerKey from SaltedPassword = Hi(password, salt, i) (RFC 5802 section 3). */
export function scramFromSaltedPassword(mechanism: ScramMechanism, salt: Buffer, iterations: number, saltedPassword: Buffer): ScramCredential {
  const clientKey = hmac(mechanism, saltedPassword, 'Client Key');
  return { salt: Buffer.from(salt), iterations, storedKey: digest(mechanism, clientKey), serverKey: hmac(mechanism, saltedPassword, 'Server Key') };
}

/** Hi() is PBKDF2 with the mechanism's HMAC; run on the thread pool. */
export async function scramFromPassword(mechanism: ScramMechanism, password: string, iterations = DEFAULT_ITERATIONS, salt = randomBytes(32)): Promise<ScramCredential> {
  const spec = SCRAM[mechanism];
  const salted = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, spec.keyLength, spec.hash);
  return scramFromSaltedPassword(mechanism, salt, iterations, salted);
}

export interface ScramUserInfo {
  mechanism: ScramMechanism;
  iterations: number;
}

export class CredentialStore {
  private readonly plain = new Map<string, PlainCredential>();
  private readonly scram = new Map<ScramMechanism, Map<string, ScramCredential>>([
    ['SCRAM-SHA-256', new Map()],
    ['SCRAM-SHA-512', new Map()],
  ]);
  /** Called after every runtime SCRAM change (persistence writes the overlay through). */
  onScramChange: ((mechanism: ScramMechanism, user: string, credential: ScramCredential | null) => void) | undefined = undefined;
  /** With --data-dir: resolves once the runtime changes so far are durable. */
  settle: (() => Promise<void> | undefined) | undefined = undefined;

  async addPlain(user: string, password: string): Promise<void> {
    const salt = randomBytes(16);
    this.plain.set(user, { salt, digest: await plainDigest(password, salt) });
  }

  /** True when the password matches the user's PLAIN credential (false for unknown users). */
  async verifyPlain(user: string, password: string): Promise<boolean> {
    const c = this.plain.get(user);
    // Unknown users still pay for one derivation, so timing does not tell which names exist.
    const salt = c?.salt ?? randomBytes(16);
    const got = await plainDigest(password, salt);
    return c !== undefined && timingSafeEqual(got, c.digest);
  }

  scramCredential(mechanism: ScramMechanism, user: string): ScramCredential | undefined {
    return this.scram.get(mechanism)?.get(user);
  }

  /** Startup load (config, recovered overlay): no change notification. */
  loadScram(mechanism: ScramMechanism, user: string, credential: ScramCredential | null): void {
    const m = this.scram.get(mechanism) as Map<string, ScramCredential>;
    if (credential) m.set(user, credential);
    else m.delete(user);
  }

  upsertScram(mechanism: ScramMechanism, user: string, credential: ScramCredential): void {
    this.loadScram(mechanism, user, credential);
    this.onScramChange?.(mechanism, user, credential);
  }

  deleteScram(mechanism: ScramMechanism, user: string): boolean {
    const m = this.scram.get(mechanism) as Map<string, ScramCredential>;
    if (!m.delete(user)) return false;
    this.onScramChange?.(mechanism, user, null);
    return true;
  }

  /** The user's SCRAM credentials, mechanism order SHA-256 then SHA-512 (Kafka's enum order). */
  scramInfo(user: string): ScramUserInfo[] {
    const out: ScramUserInfo[] = [];
    for (const [mechanism, users] of this.scram) {
      const c = users.get(user);
      if (c) out.push({ mechanism, iterations: c.iterations });
    }
    return out;
  }

  scramUsers(): string[] {
    const names = new Set<string>();
    for (const users of this.scram.values()) for (const name of users.keys()) names.add(name);
    return [...names];
  }
}
