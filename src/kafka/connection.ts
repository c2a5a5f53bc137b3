// One Kafka client connection: size-prefixed framing, request headers, dispatch, responses.
//
//   frame:            [size:int32][request header][body]
//   request hdr v1:   apiKey int16 | apiVersion int16 | correlationId int32 | clientId int16-string
//   request hdr v2:   v1 + tagged fields (flexible versions)
//   response hdr v0:  correlationId int32;  v1: + tagged fields (ApiVersions always uses v0)
//
// Like the Kafka broker (which mutes a channel while a request is in flight), requests of one
// connection are handled one at a time, so responses leave in request order even when a
// handler waits (fetch long-poll, JoinGroup). Unparsable frames, unknown API keys and versions
// outside a handler's range close the connection (Kafka's InvalidRequestException path); a
// frame larger than the request limit closes it before anything is allocated (framing:
// frame-reader.ts, socket-reads.ts). On a SASL
// listener the SASL phase (sasl/session.ts) comes first: it decides which requests may pass,
// takes the bare token frames of a v0 handshake, and sets the principal once authenticated.

import type net from 'node:net';
import type { Logger } from '../shared/logger.js';
import { DecodeError, Reader, Writer } from './bytes.js';
import { decode, encode, inRange, type MessageDef } from './codec.js';
import type { ApiModule, RequestContext } from './api.js';
import type { KafkaBroker } from './broker.js';
import type { Advertised } from './listeners.js';
import { API_VERSIONS_KEY, apiVersionsDowngrade } from './apis/18-api-versions.js';
import { SaslFailure } from './sasl/mechanism.js';
import { SASL_MAX_RECEIVE_SIZE, SaslSession, type SaslListener } from './sasl/session.js';
import { FrameReader } from './frame-reader.js';
import { feedFrames } from './socket-reads.js';

export class KafkaConnection {
  private readonly reader: FrameReader;
  private frames: Buffer[] = [];
  private busy = false;
  private closeHandlers: (() => void)[] = [];
  private isClosed = false;
  /** Kafka's principal for an unauthenticated PLAINTEXT connection. */
  principal = 'User:ANONYMOUS';
  /** As Kafka prints a session's InetAddress ("/127.0.0.1"); the peer never changes, so built once. */
  private readonly clientHost: string;
  readonly closed: RequestContext['closed'];
  readonly sasl: SaslSession;

  constructor(
    private readonly socket: net.Socket,
    readonly id: number,
    private readonly broker: KafkaBroker,
    private readonly apis: Map<number, ApiModule>,
    private readonly log: Logger,
    private readonly listener: Advertised,
    saslListener: SaslListener | null = null,
  ) {
    this.clientHost = `/${socket.remoteAddress ?? ''}`;
    this.sasl = new SaslSession(saslListener, broker.credentials, (user) => {
      this.principal = `User:${user}`;
    });
    const self = this;
    this.closed = {
      get value() {
        return self.isClosed;
      },
      onClose(fn) {
        if (self.isClosed) fn();
        else self.closeHandlers.push(fn);
      },
    };
    this.reader = new FrameReader({
      // Before authentication Kafka takes frames up to sasl.server.max.receive.size only.
      maxFrameBytes: () => (this.sasl.gating ? SASL_MAX_RECEIVE_SIZE : this.broker.settings.maxRequestBytes),
      frame: (frame) => this.frames.push(frame),
      // Kafka: InvalidReceiveException, the channel is closed without reading the payload.
      oversized: (size, limit) => this.close(`request size ${size} outside [0, ${limit}]`),
    });
    feedFrames(socket, this.reader, () => this.pump());
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.onClosed());
    socket.on('drain', () => socket.resume());
  }

  private onClosed(): void {
    this.isClosed = true;
    this.frames = [];
    this.reader.stop();
    for (const fn of this.closeHandlers.splice(0)) {
      try {
        fn();
      } catch (err) {
        this.log.warn({ err, conn: this.id }, 'close handler failed');
      }
    }
  }

  close(reason: string): void {
    if (this.isClosed) return;
    this.log.debug({ conn: this.id, reason }, 'closing connection');
    this.socket.destroy();
  }

  private pump(): void {
    while (!this.busy && !this.isClosed && !this.socket.destroyed && this.frames.length > 0) {
      const frame = this.frames.shift() as Buffer;
      let result: ReturnType<KafkaConnection['handleFrame']>;
      try {
        result = this.handleFrame(frame);
      } catch (err) {
        this.fail(err);
        return;
      }
      if (result instanceof Promise) {
        this.busy = true;
        result.then(
          (out) => {
            this.busy = false;
            if (out) this.send(out);
            if (this.sasl.closeAfterResponse) return this.closeAfterFlush();
            this.pump();
          },
          (err: unknown) => {
            this.busy = false;
            this.fail(err);
          },
        );
        return;
      }
      if (result) this.send(result);
      if (this.sasl.closeAfterResponse) return this.closeAfterFlush();
    }
  }

  /** Kafka sends a failed authentication's answer, then closes the channel. */
  private closeAfterFlush(): void {
    // The last answer is queued (failed SASL authentication): later input is ignored.
    this.frames = [];
    this.reader.stop();
    this.busy = true;
    this.socket.end(() => this.socket.destroy());
  }

  private fail(err: unknown): void {
    if (err instanceof DecodeError || err instanceof SaslFailure) this.log.debug({ conn: this.id, err: err.message }, 'malformed request');
    else this.log.error({ err, conn: this.id }, 'request handler failed');
    this.close('request failed');
  }

  /** Returns the encoded response (header + body) or null when there is none. */
  private handleFrame(frame: Buffer): Buffer[] | null | Promise<Buffer[] | null> {
    if (this.sasl.expectsRawToken) return this.sasl.rawToken(frame);
    const r = new Reader(frame);
    const apiKey = r.int16();
    const version = r.int16();
    const correlationId = r.int32();
    if (this.sasl.gating) {
      // Kafka: IllegalSaslStateException, the channel is closed without an answer.
      const refused = this.sasl.admit(apiKey);
      if (refused !== null) throw new SaslFailure(null, refused);
    }
    const api = this.apis.get(apiKey);
    const def = this.broker.messages.get(apiKey);
    if (!api || !def) throw new DecodeError(`unknown API key ${apiKey}`);
    if (version < api.minVersion || version > api.maxVersion) {
      // KIP-511: an ApiVersions request above our range gets a v0 answer listing what we serve.
      if (apiKey === API_VERSIONS_KEY && version > api.maxVersion) return this.respond(def, 0, correlationId, apiVersionsDowngrade(this.apis));
      throw new DecodeError(`${api.name} v${version} is not supported`);
    }
    const flexible = inRange(def.flexible, version);
    const clientId = r.string(false);
    if (flexible) skipTaggedFields(r);
    const request = decode(def.request, version, flexible, r);
    const ctx: RequestContext = { broker: this.broker, version, clientId, connectionId: this.id, clientHost: this.clientHost, listener: this.listener, principal: this.principal, sasl: this.sasl, closed: this.closed };
    const out = api.handle(request, ctx);
    if (apiKey === API_VERSIONS_KEY && this.sasl.gating && out && !(out instanceof Promise)) this.sasl.apiVersionsAnswered(Number(out.errorCode));
    if (out instanceof Promise) return out.then((body) => (body ? this.respond(def, version, correlationId, body) : null));
    return out ? this.respond(def, version, correlationId, out) : null;
  }

  private respond(def: MessageDef, version: number, correlationId: number, body: Record<string, unknown>): Buffer[] {
    const flexible = inRange(def.flexible, version);
    const w = new Writer(256);
    w.int32(0); // size, patched below
    w.int32(correlationId);
    if (flexible && def.apiKey !== API_VERSIONS_KEY) w.uvarint(0);
    encode(def.response, version, flexible, body, w);
    const chunks = w.finish();
    (chunks[0] as Buffer).writeInt32BE(w.length - 4, 0);
    return chunks;
  }

  private send(chunks: Buffer[]): void {
    if (this.isClosed) return;
    this.socket.cork();
    let ok = true;
    for (const c of chunks) ok = this.socket.write(c);
    this.socket.uncork();
    // Backpressure: stop reading requests until the client drains its responses.
    if (!ok) this.socket.pause();
  }
}

function skipTaggedFields(r: Reader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.slice(r.uvarint());
  }
}
