// The broker's one logger: JSON lines (pino) in which no secret survives. Every logged object goes
// through the core's redaction (src/core/redact.ts) at every depth, and so do the message and the
// bindings of the root and of every child; errors appear as name/code/message chains only.
import pino, { type DestinationStream, type Logger } from 'pino';
import { redactString, redactValue } from '../../core/redact.ts';

export interface BrokerLoggerOptions {
  readonly level?: string;
  readonly base?: Record<string, unknown>;
}

export function createBrokerLogger(stream: DestinationStream, options: BrokerLoggerOptions = {}): Logger {
  return redactingChildren(pino({
    level: options.level ?? 'info',
    base: options.base ?? { service: 'fedbroker' },
    formatters: {
      log: (object) => redactValue(object) as Record<string, unknown>,
      bindings: (bindings) => redactValue(bindings) as Record<string, unknown>,
    },
    // formatters.log has already reduced errors to name/code/message chains; keep pino from re-expanding them.
    serializers: { err: (value: unknown) => value },
    hooks: {
      // The message and printf-style arguments; an error's message, which pino would take as the
      // message when none is given, is made explicit first so that it is redacted too.
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        let merge = first;
        let more = rest;
        const err = first instanceof Error ? first : (first as { err?: unknown } | null)?.err;
        if (err instanceof Error && typeof rest[0] !== 'string') more = [err.message, ...rest];
        if (first instanceof Error) merge = { err: first };
        const safe = [merge, ...more].map((arg, i) => (typeof arg === 'string' ? redactString(arg) : i > 0 && typeof arg === 'object' ? redactValue(arg) : arg));
        return method.apply(this, safe as Parameters<typeof method>);
      },
    },
  }, stream));
}

/** pino formats only the root's bindings: a child's (`logger.child({ ... })`) are redacted here. */
function redactingChildren(logger: Logger): Logger {
  const child = logger.child.bind(logger) as unknown as (bindings: Record<string, unknown>, options?: object) => Logger;
  logger.child = ((bindings: Record<string, unknown>, options?: object) =>
    redactingChildren(child(redactValue(bindings) as Record<string, unknown>, options))) as unknown as Logger['child'];
  return logger;
}
