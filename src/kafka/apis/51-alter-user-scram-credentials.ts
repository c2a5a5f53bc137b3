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

/** The change's mechanism, or why the change is refused: empty name, unknown mechanism. */
function mechanismOf(change: Msg): ScramMechanism | Failure {
  if (String(change.name) === '') return { error: 'UNACCEPTABLE_CREDENTIAL', message: 'Username must not be empty' };
  return scramByType(Number(change.mechanism)) ?? { error: 'UNSUPPORTED_SASL_MECHANISM', message: 'Unknown SCRAM mechanism' };
}

function checkDeletion(store: CredentialStore, d: Msg): ScramMechanism | Failure {
  const mechanism = mechanismOf(d);
  if (typeof mechanism !== 'string') return mechanism;
  if (!store.scramCredential(mechanism, String(d.name))) return { error: 'RESOURCE_NOT_FOUND', message: 'Attempt to delete a user credential that does not exist' };
  return mechanism;
}

function checkUpsertion(u: Msg): ScramMechanism | Failure {
  const mechanism = mechanismOf(u);
  if (typeof mechanism !== 'string') return mechanism;
  const iterations = Number(u.iterations);
  if (iterations < SCRAM[mechanism].minIterations) return { error: 'UNACCEPTABLE_CREDENTIAL', message: 'Too few iterations' };
  if (iterations > SCRAM[mechanism].maxIterations) return { error: 'UNACCEPTABLE_CREDENTIAL', message: 'Too many iterations' };
  return mechanism;
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
    const deletions = new Map<string, ScramMechanism>();
    const upsertions = new Map<string, { mechanism: ScramMechanism; u: Msg }>();
    const failed = new Map<string, Failure>();
    // Kafka's order of checks: deletions first, then upsertions; a second change of a user
    // voids the first one too.
    for (const d of req.deletions as Msg[]) {
      const name = String(d.name);
      if (failed.has(name)) continue;
      if (deletions.delete(name)) failed.set(name, TWICE);
      else {
        const checked = checkDeletion(store, d);
        if (typeof checked === 'string') deletions.set(name, checked);
        else failed.set(name, checked);
      }
    }
    for (const u of req.upsertions as Msg[]) {
      const name = String(u.name);
      if (failed.has(name)) continue;
      if (deletions.delete(name) || upsertions.delete(name)) failed.set(name, TWICE);
      else {
        const checked = checkUpsertion(u);
        if (typeof checked === 'string') upsertions.set(name, { mechanism: checked, u });
        else failed.set(name, checked);
      }
    }
    const results: Msg[] = [];
    for (const [user, mechanism] of deletions) {
      store.deleteScram(mechanism, user);
      results.push({ user, errorCode: 0, errorMessage: null });
    }
    for (const [user, { mechanism, u }] of upsertions) {
      store.upsertScram(mechanism, user, scramFromSaltedPassword(mechanism, u.salt as Buffer, Number(u.iterations), u.saltedPassword as Buffer));
      results.push({ user, errorCode: 0, errorMessage: null });
    }
    for (const [user, f] of failed) results.push({ user, errorCode: code(f.error), errorMessage: f.message });
    const response = { throttleTimeMs: 0, results };
    const written = store.settle?.();
    return written ? written.then(() => response) : response;
  },
};
