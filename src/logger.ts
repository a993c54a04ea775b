// Structured JSON logs (pino); credentials are redacted before anything is written.
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.token',
  '*.clientSecret',
  '*.client_secret',
  '*.secret',
  'password',
  'token',
  'clientSecret',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'mspbridge' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? (level === 'silent' ? undefined : pino.destination({ dest: 2, sync: false })),
  );
}
