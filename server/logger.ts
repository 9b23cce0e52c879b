/** Structured logging. Secrets and personal data are redacted by path, never logged on purpose. */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the process logger at `level`. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'polku' },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'cookie', '*.cookie', 'headers.cookie', 'email', '*.email'],
      censor: '[redacted]'
    }
  });
}
