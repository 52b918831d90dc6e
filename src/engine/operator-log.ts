/**
 * The operator's log: what happened inside the server, for whoever runs it. It is not MCP logging
 * (`ctx.log`, `notifications/message`), which goes to the client. pino fits as it is; so does any
 * logger with these four methods. mcpkit writes nothing anywhere unless given one.
 */
export interface OperatorLogger {
  debug(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
  /** pino's `child`: a logger that adds `bindings` to every line. Used when present. */
  child?(bindings: Record<string, unknown>): OperatorLogger;
}

const ignore = (): void => {};

/** The default: every line dropped, nothing built. */
export const silentLogger: OperatorLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A logger whose lines all carry `fields`: the logger's own `child`, or a thin wrapper. */
export function withFields(logger: OperatorLogger, fields: Record<string, unknown>): OperatorLogger {
  if (logger === silentLogger) return logger;
  if (typeof logger.child === 'function') return logger.child(fields);
  return new FieldLogger(logger, fields);
}

class FieldLogger implements OperatorLogger {
  constructor(
    private readonly base: OperatorLogger,
    private readonly fields: Record<string, unknown>,
  ) {}
  debug(details: Record<string, unknown>, message: string) {
    this.base.debug({ ...this.fields, ...details }, message);
  }
  info(details: Record<string, unknown>, message: string) {
    this.base.info({ ...this.fields, ...details }, message);
  }
  warn(details: Record<string, unknown>, message: string) {
    this.base.warn({ ...this.fields, ...details }, message);
  }
  error(details: Record<string, unknown>, message: string) {
    this.base.error({ ...this.fields, ...details }, message);
  }
  child(bindings: Record<string, unknown>): OperatorLogger {
    return new FieldLogger(this.base, { ...this.fields, ...bindings });
  }
}
