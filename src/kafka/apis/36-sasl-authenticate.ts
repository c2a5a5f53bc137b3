// SaslAuthenticate (key 36), v0-2. Carries one SASL token each way after a v1 handshake.
// Wrong credentials: SASL_AUTHENTICATION_FAILED with Kafka's message, then the connection
// closes. v1+ session_lifetime_ms is always 0 (no re-authentication, KIP-368 not supported).
// After authentication or on a PLAINTEXT listener: ILLEGAL_SASL_STATE, as KafkaApis answers.
import type { ApiModule } from '../api.js';

export const saslAuthenticateApi: ApiModule = {
  key: 36,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    return ctx.sasl.authenticate((req.authBytes as Buffer | null) ?? Buffer.alloc(0));
  },
};
