// ApiVersions (key 18), v0-4. Built from the handler registry, so the advertised ranges are
// exactly what the handlers declare (Produce advertises v0 for librdkafka < 2.11's feature
// detection). A request above v4 gets the KIP-511 answer: v0 encoding, UNSUPPORTED_VERSION and
// the full list, so clients retry with the highest version we list. No features are finalized.
import type { ApiModule } from '../api.js';
import type { Msg } from '../codec.js';
import { E } from '../errors.js';

export const API_VERSIONS_KEY = 18;

function list(apis: Map<number, ApiModule>): Msg[] {
  return [...apis.values()].sort((a, b) => a.key - b.key).map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion }));
}

export function apiVersionsDowngrade(apis: Map<number, ApiModule>): Msg {
  return { errorCode: E.UNSUPPORTED_VERSION, apiKeys: list(apis), throttleTimeMs: 0 };
}

export function apiVersionsApi(apis: Map<number, ApiModule>): ApiModule {
  return {
    key: API_VERSIONS_KEY,
    name: 'ApiVersions',
    minVersion: 0,
    maxVersion: 4,
    handle(req, ctx) {
      // v3+ clients name their software; Kafka validates it (INVALID_REQUEST when malformed).
      if (ctx.version >= 3) {
        const ok = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;
        if (!ok.test(String(req.clientSoftwareName)) || !ok.test(String(req.clientSoftwareVersion))) {
          return { errorCode: E.INVALID_REQUEST, apiKeys: [], throttleTimeMs: 0 };
        }
      }
      return { errorCode: E.NONE, apiKeys: list(apis), throttleTimeMs: 0, finalizedFeaturesEpoch: -1 };
    },
  };
}
