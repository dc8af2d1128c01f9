// JSON-lines logging (pino): one logger for the process, children carry request and job ids.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { service: 'ducha' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that drops everything, for tests that don't read logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
