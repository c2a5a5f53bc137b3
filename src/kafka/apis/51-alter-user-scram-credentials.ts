// AlterUserScramCredentials (key 51), v0. Upserts (client-salted password, salt, iterations)
// and deletes SCRAM credentials, validated as Kafka's ScramControlManager.alterCredentials:
// one change per user per request (DUPLICATE_RESOURCE), empty name UNACCEPTABLE_CREDENTIAL,
// unknown mechanism UNSUPPORTED_SASL_MECHANISM, iterations outside 4096..16384
// UNACCEPTABLE_CREDENTIAL, deleting a missing credential RESOURCE_NOT_FOUND. Only StoredKey and
// ServerKey are kept. Changes are written through to --data-dir (sasl/persistence.ts).
// With an authorizer, CLUSTER ALTER is required (else every user's result is
// CLUSTER_AUTHORIZATION_FAILED and nothing changes, as Kafka's getErrorResponse).
import type { ApiModule } from '../api.js';
import type { Msg } from '../codec.js';
import { code, message, type KafkaErrorName } from '../errors.js';
import { clusterAllowed, OP } from '../acl/check.js';
import { SCRAM, scramByType, scramFromSaltedPassword, type CredentialStore, type ScramMechanism } from '../sasl/credentials.js';

interface Failure {
  error: KafkaErrorName;
  message: string;
}

const TWICE: Failure = { error: 'DUPLICATE_RESOURCE', message: 'A user credential cannot be altered twice in the same request' };

function checkNameAndMechanism(name: string, mechanism: ScramMechanism | undefined): Failure | null {
  if (name === '') return { error: 'UNACCEPTABLE_CREDENTIAL', message: 'Username must not be empty' };
  if (!mechanism) return { error: 'UNSUPPORTED_SASL_MECHANISM', message: 'Unknown SCRAM mechanism' };
  return null;
}

function checkDeletion(store: CredentialStore, d: Msg): Failure | null {
  const name = String(d.name);
  const mechanism = scramByType(Number(d.mechanism));
  const bad = checkNameAndMechanism(name, mechanism);
  if (bad) return bad;
  if (!store.scramCredential(mechanism as ScramMechanism, name)) return { error: 'RESOURCE_NOT_FOUND', message: 'Attempt to delete a user credential that does not exist' };
  return null;
}

function checkUpsertion(u: Msg): Failure | null {
  const mechanism = scramByType(Number(u.mechanism));
  const bad = checkNameAndMechanism(String(u.name), mechanism);
  if (bad) return bad;
  const iterations = Number(u.iterations);
  if (iterations < SCRAM[mechanism as ScramMechanism].minIterations) return { error: 'UNACCEPTABLE_CREDENTIAL', message: 'Too few iterations' };
  if (iterations > SCRAM[mechanism as ScramMechanism].maxIterations) return { error: 'UNACCEPTABLE_CREDENTIAL', message: 'Too many iterations' };
  return null;
}

export const alterUserScramCredentialsApi: ApiModule = {
  key: 51,
  name: 'AlterUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const store = ctx.broker.credentials;
    if (!clusterAllowed(ctx, OP.ALTER)) {
      const errorCode = code('CLUSTER_AUTHORIZATION_FAILED');
      const errorMessage = message('CLUSTER_AUTHORIZATION_FAILED');
      const changes = [...(req.deletions as Msg[]), ...(req.upsertions as Msg[])];
      return { throttleTimeMs: 0, results: changes.map((c) => ({ user: String(c.name), errorCode, errorMessage })) };
    }
    const deletions = new Map<string, Msg>();
    const upsertions = new Map<string, Msg>();
    const failed = new Map<string, Failure>();
    // Kafka's order of checks: deletions first, then upsertions; a second change of a user
    // voids the first one too.
    for (const d of req.deletions as Msg[]) {
      const name = String(d.name);
      if (failed.has(name)) continue;
      if (deletions.delete(name)) failed.set(name, TWICE);
      else {
        const bad = checkDeletion(store, d);
        if (bad) failed.set(name, bad);
        else deletions.set(name, d);
      }
    }
    for (const u of req.upsertions as Msg[]) {
      const name = String(u.name);
      if (failed.has(name)) continue;
      if (deletions.delete(name) || upsertions.delete(name)) failed.set(name, TWICE);
      else {
        const bad = checkUpsertion(u);
        if (bad) failed.set(name, bad);
        else upsertions.set(name, u);
      }
    }
    const results: Msg[] = [];
    for (const [user, d] of deletions) {
      store.deleteScram(scramByType(Number(d.mechanism)) as ScramMechanism, user);
      results.push({ user, errorCode: 0, errorMessage: null });
    }
    for (const [user, u] of upsertions) {
      const mechanism = scramByType(Number(u.mechanism)) as ScramMechanism;
      store.upsertScram(mechanism, user, scramFromSaltedPassword(mechanism, u.salt as Buffer, Number(u.iterations), u.saltedPassword as Buffer));
      results.push({ user, errorCode: 0, errorMessage: null });
    }
    for (const [user, f] of failed) results.push({ user, errorCode: code(f.error), errorMessage: f.message });
    const response = { throttleTimeMs: 0, results };
    const written = store.settle?.();
    return written ? written.then(() => response) : response;
  },
};
