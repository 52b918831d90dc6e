import type { OperatorLogger } from '../engine/operator-log.js';
import { principalKey } from '../engine/principal.js';
import type { Telemetry } from '../engine/telemetry.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import type { RequestContext, ServerMiddleware } from '../server/index.js';
import { type Bucket, type Decision, type LimitStore, MemoryLimitStore } from './limit-store.js';
import { type Period, periodMs } from './rate.js';

/**
 * Whom a limit counts: each principal (an API key or a token's subject; the client's address
 * where nothing authenticates), each client (address or connection), each legacy session (modern
 * requests have none: the rule skips them), each tool (all callers together), everyone together,
 * or a key of your own (undefined: the limit does not apply to this request).
 */
export type LimitKey =
  | 'principal'
  | 'client'
  | 'session'
  | 'tool'
  | 'global'
  | ((ctx: RequestContext) => string | undefined);

export interface RateLimitRule {
  /** Names the limit in refusals, logs and the RateLimit-Policy header. Default: from `per`. */
  name?: string;
  /** Requests allowed per `period`. */
  rate: number;
  period: Period;
  /** Requests that may arrive at once after a quiet spell. Default: `rate`. */
  burst?: number;
  per: LimitKey;
  /** Only these tools (`tools/call` by name); default: every request the rule's methods cover. */
  tools?: readonly string[];
  /** Only these methods; default: every method but `ping` and notifications. */
  methods?: readonly string[];
}

export interface RateLimitOptions {
  limits: readonly RateLimitRule[];
  /** Default: in memory (one process). `RedisLimitStore` (mcpkit/limits/redis) shares limits between processes. */
  store?: LimitStore;
  /**
   * When the store cannot answer (down, or slower than `storeTimeoutMs`): `open` lets the request
   * through, `closed` refuses it (503). Either way the logger hears of it. Default `open`.
   */
  onStoreFailure?: 'open' | 'closed';
  /** Longest wait for the store. Default 250 ms: a limiter must never hang a request. */
  storeTimeoutMs?: number;
  /** Where store failures are reported. Default: the server's `logger`, bound to the request. */
  logger?: Pick<OperatorLogger, 'warn'>;
  /** Counts every decision (`mcpkit.rate_limit.decisions`: allowed, refused, store_failure). */
  telemetry?: Telemetry;
}

interface CompiledRule {
  name: string;
  per: LimitKey;
  capacity: number;
  refillPerMs: number;
  rate: number;
  windowSeconds: number;
  tools?: ReadonlySet<string>;
  methods?: ReadonlySet<string>;
  /** Per-caller rules answer 429 (that caller waits); shared ones 503 (the server is busy). */
  shared: boolean;
}

function compile(rule: RateLimitRule, index: number): CompiledRule {
  const ms = periodMs(rule.period);
  if (!(rule.rate > 0)) throw new TypeError(`rate limit ${rule.name ?? index}: rate must be positive`);
  const capacity = rule.burst ?? rule.rate;
  if (!(capacity >= 1)) throw new TypeError(`rate limit ${rule.name ?? index}: burst must be at least 1`);
  const name = rule.name ?? (typeof rule.per === 'string' ? `per-${rule.per}` : `limit-${index}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new TypeError(`rate limit name "${name}": use letters, digits, _ . - only`);
  return {
    name,
    per: rule.per,
    capacity,
    refillPerMs: rule.rate / ms,
    rate: rule.rate,
    windowSeconds: Math.max(1, Math.round(ms / 1000)),
    ...(rule.tools ? { tools: new Set(rule.tools) } : {}),
    ...(rule.methods ? { methods: new Set(rule.methods) } : {}),
    shared: rule.per === 'tool' || rule.per === 'global',
  };
}

function keyOf(rule: CompiledRule, ctx: RequestContext, tool: string | undefined): string | undefined {
  switch (rule.per) {
    case 'principal':
      return ctx.auth ? `p:${principalKey(ctx.auth)}` : `c:${ctx.clientKey}`;
    case 'client':
      return `c:${ctx.clientKey}`;
    case 'session':
      return ctx.sessionId === undefined ? undefined : `s:${ctx.sessionId}`;
    case 'tool':
      return tool === undefined ? undefined : `t:${tool}`;
    case 'global':
      return 'g';
    default:
      return rule.per(ctx);
  }
}

/** Allowed requests are the common case: one attribute set for all of them. */
const ALLOWED = { decision: 'allowed' };

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (storeTimeoutMs)`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Token-bucket rate limits as server middleware: every rule that covers a request takes a token
 * from its bucket, all or none, in one store call. A refusal is a JSON-RPC error on every
 * transport (-32005, `data.retryAfterMs`, `data.limit`); over HTTP it is also 429 with
 * `Retry-After` and the IETF `RateLimit` / `RateLimit-Policy` headers (503 for shared limits).
 */
export function rateLimit(options: RateLimitOptions): ServerMiddleware {
  const rules = options.limits.map(compile);
  const names = new Set(rules.map((r) => r.name));
  if (names.size !== rules.length) throw new TypeError('rate limits need distinct names (set `name`)');
  const store = options.store ?? new MemoryLimitStore();
  const timeout = options.storeTimeoutMs ?? 250;
  const local = store instanceof MemoryLimitStore;
  const failOpen = (options.onStoreFailure ?? 'open') === 'open';
  const policy = rules.map((r) => `"${r.name}";q=${r.rate};w=${r.windowSeconds}`).join(', ');
  const telemetry = options.telemetry;

  return async (ctx, next) => {
    if (ctx.method === 'ping') return next();
    const tool = ctx.method === 'tools/call' ? String(ctx.params.name ?? '') : undefined;
    const applying: { rule: CompiledRule; bucket: Bucket }[] = [];
    for (const rule of rules) {
      if (rule.methods && !rule.methods.has(ctx.method)) continue;
      if (rule.tools && (tool === undefined || !rule.tools.has(tool))) continue;
      const key = keyOf(rule, ctx, tool);
      if (key === undefined) continue;
      applying.push({
        rule,
        bucket: { key: `${rule.name}:${key}`, capacity: rule.capacity, refillPerMs: rule.refillPerMs },
      });
    }
    if (applying.length === 0) return next();
    let decision: Decision;
    try {
      const pending = store.consume(
        applying.map((a) => a.bucket),
        1,
      );
      // The in-memory store answers at once: no timer for it on the hot path.
      decision = local ? await pending : await withTimeout(pending, timeout);
    } catch (error) {
      telemetry?.count('mcpkit.rate_limit.decisions', { decision: 'store_failure', limit: 'onStoreFailure' });
      (options.logger ?? ctx.logger).warn(
        { err: error, policy: failOpen ? 'open' : 'closed', method: ctx.method },
        `rate limit store failed; requests are ${failOpen ? 'let through' : 'refused'} (onStoreFailure)`,
      );
      if (failOpen) return next();
      throw new McpError(
        ErrorCode.Overloaded,
        'Rate limits cannot be checked now (the limit store is unavailable); retry later',
        { limit: 'onStoreFailure', retryAfterMs: 1000, scope: 'server' },
      );
    }
    if (decision.allowed) {
      telemetry?.count('mcpkit.rate_limit.decisions', ALLOWED);
      return next();
    }
    const strictest = (applying[decision.limitedBy ?? 0] ?? (applying[0] as (typeof applying)[0])).rule;
    telemetry?.count('mcpkit.rate_limit.decisions', { decision: 'refused', limit: strictest.name });
    const shared = strictest.shared;
    const seconds = Math.ceil(decision.retryAfterMs / 1000);
    throw new McpError(
      ErrorCode.Overloaded,
      `Rate limit exceeded (${strictest.name}: ${strictest.rate} per ${strictest.windowSeconds} s); retry in ${seconds} s`,
      {
        limit: `rateLimit:${strictest.name}`,
        retryAfterMs: decision.retryAfterMs,
        scope: shared ? 'server' : 'client',
        rateLimit: `"${strictest.name}";r=${decision.remaining};t=${seconds}`,
        rateLimitPolicy: policy,
      },
    );
  };
}
