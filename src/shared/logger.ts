// The root pino logger. JSON lines by default; pretty lines when stdout is a terminal and the
// optional pino-pretty is installed. Child loggers carry `proto` and `conn`.

import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel, pretty = process.stdout.isTTY === true): Logger {
  if (pretty && hasPinoPretty()) {
    return pino({ level, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino({ level, base: { pid: process.pid } });
}

function hasPinoPretty(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
