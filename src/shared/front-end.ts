// The shape every protocol front-end exports: start(core, config, log) -> a running FrontEnd.
import type { FastifyInstance } from 'fastify';
import type { Broker } from '../core/index.js';
import type { Config } from '../config.js';
import type { Logger } from './logger.js';

export type FrontEndState = 'running' | 'stopping' | 'stopped';

export interface FrontEnd {
  readonly name: string;
  /** The port actually bound (differs from the configured one when that was 0). */
  readonly port: number;
  /** How a client addresses it, for the ready line: amqp://127.0.0.1:5672 */
  readonly url: string;
  state(): FrontEndState;
  /** Stop accepting, close connections the protocol's way, finish in-flight work. */
  close(): Promise<void>;
  /** Adds this protocol's routes to the HTTP admin listener (test affordances, management). */
  registerAdmin?(app: FastifyInstance): void;
}

export type StartFrontEnd = (core: Broker, config: Config, log: Logger) => Promise<FrontEnd>;

/** What src/server.ts needs from each protocol folder's index.ts. */
export interface FrontEndModule {
  readonly name: 'sqs' | 'amqp' | 'kafka';
  /** Validates this protocol's section of the --config document; throws ShapeError with a JSON path. */
  checkResources?(section: unknown, path: string): void;
  start: StartFrontEnd;
}
