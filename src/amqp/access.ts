// Users, password hashes and per-vhost permissions as RabbitMQ's internal auth backend keeps
// them: passwords stored as base64(salt(4) ++ H(salt ++ password)) with H = SHA-256 by default
// (rabbit_password_hashing_sha256; sha512 and md5 are read from definitions too), and per vhost
// three regular expressions (configure, write, read) matched against resource names, the empty
// string granting nothing. Denials are 403 ACCESS_REFUSED with RabbitMQ's text (checked live).
// `loopback_users` (default guest) may only log in from a loopback address.
// User limits max-connections / max-channels are 530s with RabbitMQ's texts.
// Not supported: topic permissions, user tags' management meaning, external auth backends.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { err } from './errors.js';

export type HashAlgorithm = 'sha256' | 'sha512' | 'md5';

export const HASHING_MODULES: Record<string, HashAlgorithm> = {
  rabbit_password_hashing_sha256: 'sha256',
  rabbit_password_hashing_sha512: 'sha512',
  rabbit_password_hashing_md5: 'md5',
};

export interface Permission {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

interface CompiledPermission {
  readonly configure: RegExp | undefined;
  readonly write: RegExp | undefined;
  readonly read: RegExp | undefined;
}

export class AmqpUser {
  private readonly perms = new Map<string, CompiledPermission>();
  /** The patterns as given, for the durable definitions (persistence/). */
  private readonly sources = new Map<string, Permission>();
  /** Every vhost allowed with full permissions (the --config shorthand without permissions). */
  allVhosts = false;
  /** User limits (rabbitmqctl set_user_limits): open connections and channels. */
  maxConnections: number | undefined;
  maxChannels: number | undefined;

  constructor(readonly name: string, private readonly hash: Buffer | undefined, readonly algorithm: HashAlgorithm, readonly tags: readonly string[]) {}

  static withPassword(name: string, password: string, tags: readonly string[] = []): AmqpUser {
    return new AmqpUser(name, Buffer.from(hashPassword(password, 'sha256'), 'base64'), 'sha256', tags);
  }

  checkPassword(password: string): boolean {
    if (!this.hash || this.hash.length < 5) return false;
    const salt = this.hash.subarray(0, 4);
    const expected = this.hash.subarray(4);
    const got = createHash(this.algorithm).update(salt).update(password, 'utf8').digest();
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  setPermission(vhost: string, p: Permission): void {
    // RabbitMQ: an empty pattern matches nothing.
    const re = (s: string): RegExp | undefined => (s === '' ? undefined : new RegExp(s));
    this.perms.set(vhost, { configure: re(p.configure), write: re(p.write), read: re(p.read) });
    this.sources.set(vhost, { configure: p.configure, write: p.write, read: p.read });
  }

  /** The stored password hash as in a definitions export ('' = no password). */
  get passwordHash(): string {
    return this.hash ? this.hash.toString('base64') : '';
  }

  permissions(): [string, Permission][] {
    return [...this.sources];
  }

  canOpen(vhost: string): boolean {
    return this.allVhosts || this.perms.has(vhost);
  }

  allowed(vhost: string, what: keyof Permission, name: string): boolean {
    if (this.allVhosts) return true;
    const re = this.perms.get(vhost)?.[what];
    return re !== undefined && re.test(name);
  }
}

/** RabbitMQ's stored form: base64(salt ++ H(salt ++ utf8(password))), 4 random salt bytes. */
function hashPassword(password: string, algorithm: HashAlgorithm, salt: Buffer = randomBytes(4)): string {
  const digest = createHash(algorithm).update(salt).update(password, 'utf8').digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/** Throws RabbitMQ's 403 unless `user` may `what` the resource (the default exchange is 'amq.default'). */
export function authorize(user: AmqpUser | undefined, vhost: string, what: keyof Permission, kind: 'queue' | 'exchange', name: string): void {
  const resource = kind === 'exchange' && name === '' ? 'amq.default' : name;
  if (user && user.allowed(vhost, what, resource)) return;
  throw err('ACCESS_REFUSED', `access to ${kind} '${resource}' in vhost '${vhost}' refused for user '${user?.name ?? ''}'`);
}

/** Loopback peers: 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || a.startsWith('127.');
}
