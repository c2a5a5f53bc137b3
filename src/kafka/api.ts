// What every handler in apis/ exports, and what it receives per request.
import type { Msg } from './codec.js';
import type { KafkaBroker } from './broker.js';
import type { Advertised } from './listeners.js';
import type { SaslSession } from './sasl/session.js';

export interface RequestContext {
  readonly broker: KafkaBroker;
  readonly version: number;
  readonly clientId: string | null;
  readonly connectionId: number;
  /** "/address" as Kafka reports a member's client host. */
  readonly clientHost: string;
  /** This broker's advertised address on the listener the request came in on. */
  readonly listener: Advertised;
  /** The connection's Kafka principal ("User:ANONYMOUS" until SASL authenticates a user):
   *  what ACLs are checked against. */
  readonly principal: string;
  /** The connection's SASL state (SaslHandshake / SaslAuthenticate drive it). */
  readonly sasl: SaslSession;
  /** Resolves when the connection closes (long polls stop waiting). */
  readonly closed: { readonly value: boolean; onClose(fn: () => void): void };
}

export interface ApiModule {
  readonly key: number;
  readonly name: string;
  /** Lowest version advertised in ApiVersions (may be below what the handler serves, see Produce). */
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Returns the response body, or null for no response at all (Produce with acks=0). */
  handle(request: Msg, ctx: RequestContext): Msg | null | Promise<Msg | null>;
}
