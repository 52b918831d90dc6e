import { ErrorCode, McpError } from '../protocol/errors.js';

/** Retries of requests that are safe to repeat: exponential backoff with full jitter. */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** The first backoff's ceiling; each retry doubles it. Default 200 ms. */
  baseDelayMs?: number;
  /** No wait is longer; a server that asks for a longer one (Retry-After) is not retried. Default 10 s. */
  maxDelayMs?: number;
}

/** Methods that read: repeating one changes nothing on the server. */
const SAFE_METHODS = new Set([
  'ping',
  'server/discover',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'tasks/get',
  'tasks/list',
  'tasks/result',
]);

/** What a tool says about itself (2025-03-26+ tool annotations). */
export interface ToolHints {
  readOnlyHint?: boolean;
  idempotentHint?: boolean;
}

/** What a listed tool says of itself, as far as repeating a call goes. */
export function hintsOf(tool: { annotations?: unknown }): ToolHints {
  const { readOnlyHint, idempotentHint } = (tool.annotations ?? {}) as ToolHints;
  return {
    ...(readOnlyHint !== undefined ? { readOnlyHint } : {}),
    ...(idempotentHint !== undefined ? { idempotentHint } : {}),
  };
}

/**
 * Whether a request may be sent again after a failure: reads, and calls of tools that declare
 * themselves read-only or idempotent. Any other tools/call is never repeated behind the caller's
 * back: the server may have run it before the answer was lost.
 */
export function safeToRepeat(method: string, hints: ToolHints | undefined): boolean {
  if (SAFE_METHODS.has(method)) return true;
  return method === 'tools/call' && (hints?.readOnlyHint === true || hints?.idempotentHint === true);
}

/** Failures another attempt may cure: the connection, a timeout, a busy or limiting server. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof McpError)) return false;
  return (
    error.code === ErrorCode.ConnectionClosed ||
    error.code === ErrorCode.RequestTimeout ||
    error.code === ErrorCode.Overloaded
  );
}

/** How long the server asked us to wait (`data.retryAfterMs` of a -32005), if it did. */
export function requestedWait(error: unknown): number | undefined {
  if (!(error instanceof McpError)) return undefined;
  const wait = (error.data as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof wait === 'number' && wait >= 0 ? wait : undefined;
}

/**
 * The wait before retry `attempt` (0-based): a random time up to the doubled ceiling ("full
 * jitter", so that many clients refused together do not come back together), or longer when the
 * server asked; undefined when the server asked for more than `maxDelayMs`.
 */
export function backoff(attempt: number, policy: RetryPolicy, error: unknown): number | undefined {
  const base = policy.baseDelayMs ?? 200;
  const max = policy.maxDelayMs ?? 10_000;
  const jittered = Math.random() * Math.min(max, base * 2 ** attempt);
  const asked = requestedWait(error);
  if (asked !== undefined && asked > max) return undefined;
  return Math.max(jittered, asked ?? 0);
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  consecutiveFailures?: number;
  /** Or: this share of failures among the last `window` requests (at least `window` seen). Default 0.5 of 20. */
  failureRate?: number;
  window?: number;
  /** How long the circuit stays open before one trial request. Default 30 s. */
  openMs?: number;
}

/**
 * A circuit breaker for one server: closed (requests flow), open (requests fail at once, for
 * `openMs`), half-open (one trial request; its success closes the circuit, its failure opens it
 * again). Only transient failures count; a server's refusal of a bad request is an answer.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private consecutive = 0;
  private readonly outcomes: boolean[] = [];
  private openedAt = 0;
  private trial = false;

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly onChange: (state: CircuitState) => void,
  ) {}

  get state(): CircuitState {
    if (this.current === 'open' && Date.now() - this.openedAt >= (this.options.openMs ?? 30_000))
      this.move('half-open');
    return this.current;
  }

  /** Throws when the circuit refuses the request; otherwise the request may go. */
  admit(): void {
    const state = this.state;
    if (state === 'closed') return;
    if (state === 'half-open' && !this.trial) {
      this.trial = true;
      return;
    }
    const wait = Math.max(0, (this.options.openMs ?? 30_000) - (Date.now() - this.openedAt));
    throw new McpError(
      ErrorCode.Overloaded,
      `The circuit to this server is open after repeated failures; the next trial is in ${Math.ceil(wait / 1000)} s`,
      { limit: 'circuitBreaker', retryAfterMs: wait, scope: 'client' },
    );
  }

  record(ok: boolean): void {
    this.trial = false;
    this.consecutive = ok ? 0 : this.consecutive + 1;
    const window = this.options.window ?? 20;
    this.outcomes.push(ok);
    if (this.outcomes.length > window) this.outcomes.shift();
    if (this.current === 'half-open') {
      this.move(ok ? 'closed' : 'open');
      return;
    }
    if (ok || this.current === 'open') return;
    const failures = this.outcomes.filter((o) => !o).length;
    const rateTripped =
      this.outcomes.length >= window && failures / this.outcomes.length >= (this.options.failureRate ?? 0.5);
    if (this.consecutive >= (this.options.consecutiveFailures ?? 5) || rateTripped) this.move('open');
  }

  private move(state: CircuitState) {
    if (state === this.current) return;
    this.current = state;
    if (state === 'open') this.openedAt = Date.now();
    if (state !== 'half-open') {
      this.consecutive = 0;
      this.outcomes.length = 0;
    }
    this.onChange(state);
  }
}
