// SASL PLAIN (RFC 4616) as Kafka's PlainSaslServer checks it: one token
// "authzid NUL authcid NUL password", UTF-8. Messages are Kafka's: a token that does not split
// into three parts is a plain SaslException (generic text to the client), the others are
// SaslAuthenticationExceptions whose text the client sees.
import type { CredentialStore } from './credentials.js';
import { SaslFailure, type MechanismServer } from './mechanism.js';

export class PlainServer implements MechanismServer {
  complete = false;
  user: string | null = null;

  constructor(private readonly store: CredentialStore) {}

  async evaluate(token: Buffer): Promise<Buffer> {
    if (this.complete) throw new SaslFailure(null, 'PLAIN exchange already complete');
    const tokens = token.toString('utf8').split('\u0000');
    if (tokens.length !== 3) throw new SaslFailure(null, `Invalid SASL/PLAIN response: expected 3 tokens, got ${tokens.length}`);
    const [authzid, username, password] = tokens as [string, string, string];
    if (username === '') throw new SaslFailure('Authentication failed: username not specified');
    if (password === '') throw new SaslFailure('Authentication failed: password not specified');
    if (!(await this.store.verifyPlain(username, password))) throw new SaslFailure('Authentication failed: Invalid username or password');
    if (authzid !== '' && authzid !== username) throw new SaslFailure('Authentication failed: Client requested an authorization id that is different from username');
    this.user = username;
    this.complete = true;
    return Buffer.alloc(0);
  }
}
