// SaslHandshake (key 17), v0-1. Picks the mechanism for the connection's SASL exchange; v0
// means the tokens follow as bare frames, v1 that they come in SaslAuthenticate requests.
// An unknown mechanism gets UNSUPPORTED_SASL_MECHANISM with the enabled list, then the
// connection closes. On a PLAINTEXT listener or after authentication: ILLEGAL_SASL_STATE
// (no KIP-368 re-authentication). The state machine lives in ../sasl/session.ts.
import type { ApiModule } from '../api.js';

export const saslHandshakeApi: ApiModule = {
  key: 17,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    return ctx.sasl.handshake(String(req.mechanism), ctx.version);
  },
};
