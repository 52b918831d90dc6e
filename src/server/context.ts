import { type OperatorLogger, silentLogger, withFields } from '../engine/operator-log.js';
import { principalKey } from '../engine/principal.js';
import { META } from '../protocol/meta.js';
import type {
  CreateMessageParams,
  CreateMessageResult,
  ElicitParams,
  ElicitResult,
  LoggingLevel,
  Root,
} from '../protocol/schemas/index.js';
import { type InputOptions, LOG_LEVELS, type Logger, type RequestContext } from './request-context.js';
import type { RequestScope } from './scope.js';

export class HandlerContext implements RequestContext {
  private mcpLogger?: Logger;
  private operatorLogger?: OperatorLogger;

  constructor(
    readonly scope: RequestScope,
    /** The request's params, validated against the revision's schema. */
    readonly params: Readonly<Record<string, any>>,
  ) {}

  get log(): Logger {
    this.mcpLogger ??= new ContextLogger(this);
    return this.mcpLogger;
  }

  get logger(): OperatorLogger {
    const base = this.scope.logger;
    if (base === silentLogger) return base;
    this.operatorLogger ??= withFields(base, this.logFields());
    return this.operatorLogger;
  }

  /** What every operator log line of this request carries; absent fields are left out. */
  private logFields(): Record<string, unknown> {
    const { scope } = this;
    const fields: Record<string, unknown> = { method: this.method, requestId: this.requestId };
    const traceId = scope.incoming.trace?.traceId;
    if (traceId) fields.traceId = traceId;
    if (scope.session?.id) fields.sessionId = scope.session.id;
    if (this.method === 'tools/call' || this.method === 'prompts/get') fields.name = this.params.name;
    if (this.method === 'resources/read') fields.uri = this.params.uri;
    const principal = principalKey(scope.principal);
    if (principal) fields.principal = principal;
    return fields;
  }

  get requestId() {
    return this.scope.incoming.message.id;
  }
  get method() {
    return this.scope.incoming.message.method;
  }
  get signal() {
    return this.scope.incoming.signal;
  }
  get era() {
    return this.scope.era;
  }
  get protocolVersion() {
    return this.scope.revision;
  }
  get client() {
    return this.scope.client;
  }
  get auth() {
    return this.scope.principal;
  }
  get clientKey() {
    return this.scope.clientKey;
  }
  get sessionId() {
    return this.scope.session?.id;
  }
  get meta(): Record<string, unknown> {
    return (this.params._meta as Record<string, unknown> | undefined) ?? {};
  }

  progress(progress: number, total?: number, message?: string): Promise<void> {
    const token = this.meta.progressToken;
    if ((typeof token !== 'string' && typeof token !== 'number') || this.scope.incoming.cancelled)
      return Promise.resolve();
    this.scope.incoming.trace?.event('progress', {
      progress,
      ...(total !== undefined ? { total } : {}),
    });
    return this.scope.incoming.notify('notifications/progress', {
      progressToken: token,
      progress,
      ...(total !== undefined ? { total } : {}),
      ...(message !== undefined && this.scope.features.progressMessage ? { message } : {}),
    });
  }

  emitLog(level: LoggingLevel, data: unknown, logger?: string): Promise<void> {
    const threshold = this.scope.logLevel;
    if (
      threshold === undefined ||
      LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(threshold) ||
      this.scope.incoming.cancelled
    ) {
      return Promise.resolve();
    }
    return this.scope.incoming.notify('notifications/message', {
      level,
      data,
      ...(logger ? { logger } : {}),
    });
  }

  async elicit(params: ElicitParams, options?: InputOptions): Promise<ElicitResult> {
    const answer = await this.scope.asker.ask(
      'elicitation/create',
      params as Record<string, unknown>,
      options?.key,
    );
    return answer as ElicitResult;
  }

  async sample(params: CreateMessageParams, options?: InputOptions): Promise<CreateMessageResult> {
    const answer = await this.scope.asker.ask(
      'sampling/createMessage',
      params as Record<string, unknown>,
      options?.key,
    );
    return answer as CreateMessageResult;
  }

  task<T>(run: (ctx: RequestContext) => T | Promise<T>): Promise<T> {
    const host = this.scope.tasks;
    if (!host) return Promise.resolve(run(this));
    return host.startTask(this, run) as Promise<T>;
  }

  async roots(options?: InputOptions): Promise<Root[]> {
    return ((await this.scope.asker.ask('roots/list', {}, options?.key)) as { roots: Root[] }).roots;
  }
}

/** Built only when a handler logs, with methods on the prototype: no closures per request. */
class ContextLogger implements Logger {
  constructor(private readonly ctx: HandlerContext) {}
  debug(data: unknown, logger?: string) {
    return this.ctx.emitLog('debug', data, logger);
  }
  info(data: unknown, logger?: string) {
    return this.ctx.emitLog('info', data, logger);
  }
  notice(data: unknown, logger?: string) {
    return this.ctx.emitLog('notice', data, logger);
  }
  warning(data: unknown, logger?: string) {
    return this.ctx.emitLog('warning', data, logger);
  }
  error(data: unknown, logger?: string) {
    return this.ctx.emitLog('error', data, logger);
  }
  critical(data: unknown, logger?: string) {
    return this.ctx.emitLog('critical', data, logger);
  }
  alert(data: unknown, logger?: string) {
    return this.ctx.emitLog('alert', data, logger);
  }
  emergency(data: unknown, logger?: string) {
    return this.ctx.emitLog('emergency', data, logger);
  }
}

/** The log threshold a modern request asked for in `_meta` (none: no logs, 2026-07-28 logging). */
export function modernLogLevel(meta: Record<string, unknown> | undefined): LoggingLevel | undefined {
  const level = meta?.[META.logLevel];
  return LOG_LEVELS.includes(level as LoggingLevel) ? (level as LoggingLevel) : undefined;
}
