import { principalKey } from '../engine/principal.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import type { RequestContext, ServerMiddleware } from '../server/index.js';

export interface ToolReliability {
  /** Longest a call of this tool may take. */
  timeoutMs?: number;
  /** Calls of this tool running at once, all callers together (a bulkhead). */
  concurrency?: number;
}

export interface ReliabilityOptions {
  /** Longest any request may take before it is answered with -32001. Default: no limit. */
  timeoutMs?: number;
  /** Per method, overriding `timeoutMs` (`tools/call` for every tool, `resources/read`...). */
  methods?: Record<string, { timeoutMs?: number }>;
  /** Per tool, overriding the method's timeout; a concurrency cap of its own. */
  tools?: Record<string, ToolReliability>;
  /** Requests one principal (the client's address where nothing authenticates) may run at once. */
  concurrencyPerPrincipal?: number;
  /**
   * Requests running at once, all callers together. Past it the server is saturated: new requests
   * are shed at once (503 + Retry-After over HTTP) instead of queueing until everyone times out.
   */
  maxConcurrent?: number;
  /** What a shed request is told to wait. Default 1000 ms. */
  retryAfterMs?: number;
}

interface Deadline {
  at: number;
  expire(): void;
}

/**
 * One timer for every request's deadline, ticking while any is pending: a timer per request
 * costs more than the work of most requests. A deadline fires up to one tick late (a tenth of the
 * smallest timeout configured).
 */
class DeadlineClock {
  private readonly pending = new Set<Deadline>();
  private timer?: ReturnType<typeof setInterval>;

  constructor(private readonly tickMs: number) {}

  watch(deadline: Deadline): void {
    this.pending.add(deadline);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref?.();
    }
  }

  forget(deadline: Deadline): void {
    this.pending.delete(deadline);
  }

  private tick(): void {
    const now = Date.now();
    for (const deadline of this.pending) {
      if (deadline.at > now) continue;
      this.pending.delete(deadline);
      deadline.expire();
    }
    if (this.pending.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

/** Counts per key that forget a key at zero, so the map holds only what runs now. */
class Gauges {
  private readonly counts = new Map<string, number>();
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  up(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }
  down(key: string): void {
    const left = this.get(key) - 1;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }
}

/**
 * The reliability layer as server middleware: timeouts per request, method and tool; a
 * concurrency cap per tool (bulkhead) and per principal; load shedding past `maxConcurrent`.
 * A refusal is -32005 with the option that refused in `data.limit`; a timeout is -32001. A
 * request that timed out keeps its place in the caps until its handler really ends, so the caps
 * count the work the server is doing, not the answers it gave.
 */
export function reliability(options: ReliabilityOptions): ServerMiddleware {
  const running = new Gauges();
  let total = 0;
  const retryAfterMs = options.retryAfterMs ?? 1000;
  const refuse = (message: string, limit: string, scope: 'client' | 'server') =>
    new McpError(ErrorCode.Overloaded, `${message} (${limit}); retry later or raise ${limit}`, {
      limit,
      retryAfterMs,
      scope,
    });

  const configured = [
    options.timeoutMs,
    ...Object.values(options.methods ?? {}).map((m) => m.timeoutMs),
    ...Object.values(options.tools ?? {}).map((t) => t.timeoutMs),
  ].filter((t): t is number => t !== undefined);
  const clock = new DeadlineClock(Math.max(5, Math.min(1000, Math.min(...configured, 10_000) / 10)));

  return async (ctx: RequestContext, next) => {
    if (ctx.method === 'ping') return next();
    const tool = ctx.method === 'tools/call' ? String(ctx.params.name ?? '') : undefined;
    const toolOptions = tool === undefined ? undefined : options.tools?.[tool];
    const caller = ctx.auth ? `p:${principalKey(ctx.auth)}` : `c:${ctx.clientKey}`;
    if (options.maxConcurrent !== undefined && total >= options.maxConcurrent)
      throw refuse(`The server is saturated: ${total} requests running`, 'maxConcurrent', 'server');
    if (
      options.concurrencyPerPrincipal !== undefined &&
      running.get(caller) >= options.concurrencyPerPrincipal
    )
      throw refuse('Too many requests running for this caller', 'concurrencyPerPrincipal', 'client');
    if (toolOptions?.concurrency !== undefined && running.get(`t:${tool}`) >= toolOptions.concurrency)
      throw refuse(`Too many calls of ${tool} running`, `tools.${tool}.concurrency`, 'server');
    total++;
    running.up(caller);
    if (tool !== undefined) running.up(`t:${tool}`);
    const work = next().finally(() => {
      total--;
      running.down(caller);
      if (tool !== undefined) running.down(`t:${tool}`);
    });
    const timeoutMs = toolOptions?.timeoutMs ?? options.methods?.[ctx.method]?.timeoutMs ?? options.timeoutMs;
    if (timeoutMs === undefined) return work;
    return new Promise((resolve, reject) => {
      const deadline: Deadline = {
        at: Date.now() + timeoutMs,
        expire: () => {
          const option =
            toolOptions?.timeoutMs !== undefined
              ? `tools.${tool}.timeoutMs`
              : options.methods?.[ctx.method]?.timeoutMs !== undefined
                ? `methods.${ctx.method}.timeoutMs`
                : 'timeoutMs';
          reject(
            new McpError(
              ErrorCode.RequestTimeout,
              `${tool ? `Tool ${tool}` : ctx.method} took longer than ${timeoutMs} ms (${option})`,
              { limit: option },
            ),
          );
        },
      };
      clock.watch(deadline);
      work.then(
        (result) => {
          clock.forget(deadline);
          resolve(result);
        },
        (error) => {
          clock.forget(deadline);
          reject(error);
        },
      );
    });
  };
}
