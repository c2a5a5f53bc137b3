// What a server-side SASL mechanism looks like to the session (Kafka's javax SaslServer):
// tokens in, challenges out, a failure type carrying what the client may be told.

/**
 * A failed exchange. `clientMessage` is Kafka's SaslAuthenticationException text, which the
 * broker sends as is; null stands for a plain SaslException, whose detail Kafka never sends
 * (it could reveal whether a user exists): the client gets the generic text instead
 * (SaslServerAuthenticator.handleSaslToken).
 */
export class SaslFailure extends Error {
  constructor(
    readonly clientMessage: string | null,
    detail?: string,
  ) {
    super(detail ?? clientMessage ?? 'SASL failure');
  }
}

export function genericFailure(mechanism: string): string {
  return `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
}

export interface MechanismServer {
  /** The next server token; throws (or rejects with) SaslFailure when authentication fails. */
  evaluate(token: Buffer): Buffer | Promise<Buffer>;
  /** True once the last evaluate() completed the exchange. */
  readonly complete: boolean;
  /** The authenticated user name once complete. */
  readonly user: string | null;
}
