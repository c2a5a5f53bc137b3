// The handler contract: an already-decoded, typed input in; a plain output object out (blob
// fields as base64 text). Handlers never see which wire flavour the request used.

import type { RequestInfo, SqsContext } from '../context.js';

export type Output = Record<string, unknown>;

export type Handler<I> = (ctx: SqsContext, input: I, req: RequestInfo) => Output | Promise<Output>;
