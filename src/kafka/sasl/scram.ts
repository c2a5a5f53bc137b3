// SCRAM-SHA-256 / SCRAM-SHA-512 server (RFC 5802, RFC 7677) as Kafka's ScramSaslServer runs
// it: client-first -> server-first (r, s, i) -> client-final -> server-final (v). Message
// grammar follows Kafka's ScramMessages: gs2 header "n," only (no channel binding), ASCII
// saslname with =2C/=3D escapes, optional extensions of which only tokenauth is known
// (delegation tokens are not supported, so tokenauth=true fails). Every failure here is a
// plain SaslException in Kafka (generic text to the client) except the authzid mismatch.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { digest, hmac, SCRAM, type CredentialStore, type ScramCredential, type ScramMechanism } from './credentials.js';
import { SaslFailure, type MechanismServer } from './mechanism.js';

const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+';
const VALUE = '[\\x01-\\x2B\\x2D-\\x7F]+';
const PRINTABLE = '[\\x21-\\x2B\\x2D-\\x7E]+';
const B64 = '(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)?';
const CLIENT_FIRST = new RegExp(`^n,(?:a=(${SASLNAME}))?,((?:m=${VALUE},)?n=(${SASLNAME}),r=(${PRINTABLE})((?:,[a-zA-Z]+=${VALUE})*))$`);
const CLIENT_FINAL = new RegExp(`^(c=(${B64}),r=(${PRINTABLE})(?:,[a-zA-Z]+=${VALUE})*),p=(${B64})$`);

function unescapeName(saslName: string): string {
  return saslName.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

type State = 'first' | 'final' | 'complete' | 'failed';

export class ScramServer implements MechanismServer {
  private state: State = 'first';
  private credential: ScramCredential | null = null;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  user: string | null = null;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly store: CredentialStore,
  ) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  evaluate(token: Buffer): Buffer {
    try {
      if (this.state === 'first') return this.first(token.toString('utf8'));
      if (this.state === 'final') return this.final(token.toString('utf8'));
      throw new SaslFailure(null, `Unexpected SCRAM message in state ${this.state}`);
    } catch (err) {
      this.state = 'failed';
      this.credential = null;
      throw err instanceof SaslFailure ? err : new SaslFailure(null, String(err));
    }
  }

  private first(message: string): Buffer {
    const m = CLIENT_FIRST.exec(message);
    if (!m) throw new SaslFailure(null, `Invalid SCRAM client first message format: ${message}`);
    const [, authzid = '', bare = '', saslName = '', clientNonce = '', extensions = ''] = m;
    const ext = new Map(extensions.split(',').filter((e) => e !== '').map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as const));
    for (const k of ext.keys()) if (k !== 'tokenauth') throw new SaslFailure(null, `Unsupported extensions will be ignored, supported [tokenauth], provided ${k}`);
    if (ext.get('tokenauth') === 'true') throw new SaslFailure(null, 'Authentication failed: Delegation tokens are not supported');
    const username = unescapeName(saslName);
    const credential = this.store.scramCredential(this.mechanism, username);
    if (!credential) throw new SaslFailure(null, 'Authentication failed: Invalid user credentials');
    if (authzid !== '' && unescapeName(authzid) !== username) {
      throw new SaslFailure('Authentication failed: Client requested an authorization id that is different from username');
    }
    if (credential.iterations < SCRAM[this.mechanism].minIterations) {
      throw new SaslFailure(null, `Iterations ${credential.iterations} is less than the minimum ${SCRAM[this.mechanism].minIterations} for ${this.mechanism}`);
    }
    this.user = username;
    this.credential = credential;
    this.clientFirstBare = bare;
    this.nonce = clientNonce + randomBytes(18).toString('base64url');
    this.serverFirst = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    this.state = 'final';
    return Buffer.from(this.serverFirst, 'utf8');
  }

  private final(message: string): Buffer {
    const m = CLIENT_FINAL.exec(message);
    if (!m) throw new SaslFailure(null, `Invalid SCRAM client final message format: ${message}`);
    const [, withoutProof = '', , nonce = '', proofB64 = ''] = m;
    // Kafka checks endsWith, not equality (ScramSaslServer up to 3.x): librdkafka <= 2.x sends
    // its own nonce again in front of the combined one, and must still get in.
    if (!nonce.endsWith(this.nonce)) throw new SaslFailure(null, 'Invalid client nonce in the final client message.');
    const credential = this.credential as ScramCredential;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const proof = Buffer.from(proofB64, 'base64');
    const clientSignature = hmac(this.mechanism, credential.storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw new SaslFailure(null, 'Invalid client credentials');
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = (proof[i] as number) ^ (clientSignature[i] as number);
    if (!timingSafeEqual(digest(this.mechanism, clientKey), credential.storedKey)) throw new SaslFailure(null, 'Invalid client credentials');
    const serverSignature = hmac(this.mechanism, credential.serverKey, authMessage);
    this.credential = null;
    this.state = 'complete';
    return Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8');
  }
}
