// The per-request facts handlers read (RequestInfo), taken from an HTTP request's headers and
// path. Built once per request on the hot path, so: no closures, host -> origin and path ->
// queue name cached, origin and region worked out only when read, and the disconnect signal
// (an AbortController, not free) only made when a long poll asks for it.

import type { AppOptions } from './app.js';
import type { RequestInfo } from './context.js';
import type { LeanRequest, Responder } from './lean-http.js';

/** Small caches: a server sees few distinct Host values and queue paths; cleared when full. */
const CACHE_LIMIT = 1024;
const origins = new Map<string, string>();
const pathQueues = new Map<string, string | undefined>();

function originOf(host: string, https: boolean): string {
  const key = https ? `s${host}` : host;
  let origin = origins.get(key);
  if (origin === undefined) {
    if (origins.size >= CACHE_LIMIT) origins.clear();
    origin = `${https ? 'https' : 'http'}://${host}`;
    origins.set(key, origin);
  }
  return origin;
}

/** The queue name a request path names (`/<account>/<name>`), if any. */
export function pathQueueOf(url: string): string | undefined {
  if (url === '/') return undefined;
  let name = pathQueues.get(url);
  if (name === undefined && !pathQueues.has(url)) {
    const path = (url.split('?')[0] ?? '/').split('/').filter(Boolean);
    name = path.length >= 2 ? safeDecode(path[path.length - 1] as string) : undefined;
    if (pathQueues.size >= CACHE_LIMIT) pathQueues.clear();
    pathQueues.set(url, name);
  }
  return name;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The region of a SigV4 credential scope (`Credential=AKID/20240101/<region>/sqs/...`). */
function regionOf(auth: string | undefined): string {
  if (auth === undefined) return 'us-east-1';
  return /Credential=[^/]*\/\d{8}\/([a-z0-9-]+)\/sqs\//.exec(auth)?.[1] ?? 'us-east-1';
}

export class HttpRequestInfo implements RequestInfo {
  readonly traceHeader: string | undefined;
  readonly pathQueue: string | undefined;
  #origin: string | undefined;
  #region: string | undefined;
  #signal: AbortSignal | undefined;

  constructor(
    private readonly req: LeanRequest,
    private readonly res: Responder,
    private readonly opts: Pick<AppOptions, 'advertisedOrigin' | 'ignoreHostHeader' | 'shutdown'>,
  ) {
    this.traceHeader = req.headers.get('x-amzn-trace-id');
    this.pathQueue = pathQueueOf(req.url);
  }

  // Origin and region are read by few actions (queue URLs, ARNs): worked out on first use.
  get origin(): string {
    if (this.#origin !== undefined) return this.#origin;
    const h = this.req.headers;
    const host = this.opts.ignoreHostHeader ? undefined : h.get('host');
    this.#origin = host ? originOf(host, h.get('x-forwarded-proto') === 'https') : this.opts.advertisedOrigin();
    return this.#origin;
  }

  get region(): string {
    return (this.#region ??= regionOf(this.req.headers.get('authorization')));
  }

  /** Aborted when the client goes away or the server shuts down (ends long polls). */
  get signal(): AbortSignal {
    if (this.#signal) return this.#signal;
    const ac = new AbortController();
    if (this.res.gone) ac.abort();
    else this.res.onGone(() => ac.abort());
    this.#signal = AbortSignal.any([ac.signal, this.opts.shutdown]);
    return this.#signal;
  }
}
