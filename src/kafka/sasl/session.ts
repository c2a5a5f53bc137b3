// The SASL phase of one connection, after Kafka's SaslServerAuthenticator. On a SASL listener
// a connection starts unauthenticated: ApiVersions (once successfully) and SaslHandshake are
// the only requests taken; after SaslHandshake v0 the tokens arrive as bare size-prefixed
// frames (kafka-python, Kafka < 1.0 clients), after v1 inside SaslAuthenticate requests. Any
// other request closes the connection (IllegalSaslStateException), and so does a failed
// authentication, right after its answer (v1) or at once (v0, which has no error frame).
// On a PLAINTEXT listener, and once authenticated, SaslHandshake/SaslAuthenticate reach the
// request handlers and get ILLEGAL_SASL_STATE, as from KafkaApis. No re-authentication
// (KIP-368): session_lifetime_ms is 0, connections.max.reauth.ms is not supported.
import type { Msg } from '../codec.js';
import { code } from '../errors.js';
import { isScram, type CredentialStore } from './credentials.js';
import { genericFailure, SaslFailure, type MechanismServer } from './mechanism.js';
import { PlainServer } from './plain.js';
import { ScramServer } from './scram.js';

/** Kafka's sasl.server.max.receive.size default: the largest frame taken before authentication. */
export const SASL_MAX_RECEIVE_SIZE = 524_288;

export interface SaslListener {
  /** sasl.enabled.mechanisms of the listener, in configured order. */
  mechanisms: string[];
}

type Phase = 'versions' | 'handshake' | 'authenticate' | 'done' | 'failed';

const EMPTY = Buffer.alloc(0);

export class SaslSession {
  private phase: Phase;
  private server: MechanismServer | null = null;
  private mechanism = '';
  private raw = false;
  /** The answer being sent is the last: the connection closes once it is written. */
  closeAfterResponse = false;

  constructor(
    private readonly listener: SaslListener | null,
    private readonly store: CredentialStore,
    private readonly onAuthenticated: (user: string) => void,
  ) {
    this.phase = listener ? 'versions' : 'done';
  }

  /** The listener's security protocol, as Kafka names it in request descriptions. */
  get securityProtocol(): 'SASL_PLAINTEXT' | 'PLAINTEXT' {
    return this.listener ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  }

  /** True while requests must pass admit(): a SASL listener before authentication. */
  get gating(): boolean {
    return this.phase !== 'done';
  }

  /** After a v0 handshake the next frames are bare SASL tokens, not Kafka requests. */
  get expectsRawToken(): boolean {
    return this.phase === 'authenticate' && this.raw;
  }

  /** Null when a request with this key may be handled now, else why the connection closes. */
  admit(apiKey: number): string | null {
    switch (this.phase) {
      case 'done':
        return null;
      case 'versions':
        if (apiKey === 18 || apiKey === 17) return null;
        break;
      case 'handshake':
        if (apiKey === 17) return null;
        break;
      case 'authenticate':
        if (apiKey === 36) return null;
        return `Unexpected Kafka request of type ${apiKey} during SASL authentication.`;
      case 'failed':
        return 'SASL authentication failed';
    }
    return `Unexpected Kafka request of type ${apiKey} during SASL handshake.`;
  }

  /** Kafka moves on from ApiVersions only after a successful answer (KIP-511 retries stay). */
  apiVersionsAnswered(errorCode: number): void {
    if (this.phase === 'versions' && errorCode === 0) this.phase = 'handshake';
  }

  handshake(mechanism: string, version: number): Msg {
    if (!this.listener || this.phase === 'done') return { errorCode: code('ILLEGAL_SASL_STATE'), mechanisms: [] };
    const enabled = this.listener.mechanisms;
    if (!enabled.includes(mechanism)) {
      this.fail();
      return { errorCode: code('UNSUPPORTED_SASL_MECHANISM'), mechanisms: enabled };
    }
    this.mechanism = mechanism;
    this.server = isScram(mechanism) ? new ScramServer(mechanism, this.store) : new PlainServer(this.store);
    this.raw = version === 0;
    this.phase = 'authenticate';
    return { errorCode: 0, mechanisms: enabled };
  }

  authenticate(token: Buffer): Msg | Promise<Msg> {
    if (this.phase === 'done') {
      return { errorCode: code('ILLEGAL_SASL_STATE'), errorMessage: 'SaslAuthenticate request received after successful authentication', authBytes: EMPTY, sessionLifetimeMs: 0 };
    }
    return this.step<Msg>(
      token,
      (out) => ({ errorCode: 0, errorMessage: null, authBytes: out, sessionLifetimeMs: 0 }),
      (message) => ({ errorCode: code('SASL_AUTHENTICATION_FAILED'), errorMessage: message, authBytes: EMPTY, sessionLifetimeMs: 0 }),
    );
  }

  /** A bare token after a v0 handshake: the answer is a bare size-prefixed token. Failure closes without a word. */
  rawToken(token: Buffer): Buffer[] | Promise<Buffer[]> {
    return this.step<Buffer[]>(
      token,
      (out) => {
        const size = Buffer.allocUnsafe(4);
        size.writeInt32BE(out.length, 0);
        return [size, out];
      },
      (message) => {
        throw new SaslFailure(message);
      },
    );
  }

  private step<T>(token: Buffer, ok: (out: Buffer) => T, failed: (message: string) => T): T | Promise<T> {
    const server = this.server as MechanismServer;
    const onError = (err: unknown): T => {
      this.fail();
      const message = err instanceof SaslFailure && err.clientMessage !== null ? err.clientMessage : genericFailure(this.mechanism);
      return failed(message);
    };
    const onToken = (out: Buffer): T => {
      if (server.complete) {
        this.phase = 'done';
        this.server = null;
        this.onAuthenticated(server.user as string);
      }
      return ok(out);
    };
    let out: Buffer | Promise<Buffer>;
    try {
      out = server.evaluate(token);
    } catch (err) {
      return onError(err);
    }
    return out instanceof Promise ? out.then(onToken, onError) : onToken(out);
  }

  private fail(): void {
    this.phase = 'failed';
    this.server = null;
    this.closeAfterResponse = true;
  }
}
