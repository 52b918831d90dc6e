import { type McpServer, runtimeOf } from '../server/mcp-server.js';

/** Resolves (with anything but `false`) when what it checks answers; throws or resolves false when not. */
export type HealthCheck = () => unknown;

/** What an HTTP handler reports of its bounds (`createStreamableHttpHandler`'s `load`). */
interface LoadSource {
  readonly load: Readonly<Record<string, { readonly used: number; readonly max: number }>>;
}

export interface HealthOptions {
  /** The server: readiness fails once `close()` has begun, so the balancer stops sending. */
  server?: McpServer;
  /** The stores and buses the server needs (Redis, a database...): each must answer for readiness. */
  checks?: Record<string, HealthCheck>;
  /** A check slower than this counts as down. Default 1,000 ms. */
  timeoutMs?: number;
  /** HTTP handlers whose bounds count: at `saturation` of any bound, readiness fails. */
  handlers?: readonly LoadSource[];
  /** The share of a bound (sessions, streams, requests in flight) that counts as saturated. Default 0.9. */
  saturation?: number;
}

export interface HealthEndpoints {
  /** Liveness: the process answers. Never depends on stores (a restart would not fix them). */
  healthz(request?: Request): Promise<Response>;
  /** Readiness: every check answers, not shutting down, not saturated. 200 or 503, JSON either way. */
  readyz(request?: Request): Promise<Response>;
  /** Both, by path, for `serveHttp`'s `routes`. */
  readonly routes: Readonly<Record<'/healthz' | '/readyz', (request: Request) => Promise<Response>>>;
}

interface CheckReport {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function timeout(ms: number): Promise<never> & { clear(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (timeoutMs)`)), ms);
  }) as Promise<never> & { clear(): void };
  promise.clear = () => clearTimeout(timer);
  return promise;
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckReport> {
  const started = performance.now();
  const limit = timeout(timeoutMs);
  try {
    const answer = await Promise.race([Promise.resolve().then(check), limit]);
    const latencyMs = Math.round(performance.now() - started);
    return answer === false
      ? { status: 'down', latencyMs, error: 'the check answered false' }
      : { status: 'up', latencyMs };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    return { status: 'down', latencyMs, error: error instanceof Error ? error.message : String(error) };
  } finally {
    limit.clear();
  }
}

/**
 * `/healthz` and `/readyz` as web handlers. The bodies are JSON a person can read: what was
 * checked, how long it took, and for a 503 the reasons, each naming what to look at.
 */
export function health(options: HealthOptions = {}): HealthEndpoints {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 1000;
  const saturation = options.saturation ?? 0.9;
  const checks = Object.entries(options.checks ?? {});

  const healthz = async (): Promise<Response> =>
    new Response(JSON.stringify({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) }), {
      status: 200,
      headers: JSON_HEADERS,
    });

  // Probes at once share one run of the checks: /readyz answers anyone, and each run reaches the
  // stores behind it (a flood of probes would otherwise be a flood of store round trips).
  let running: Promise<CheckReport[]> | undefined;
  const runChecks = (): Promise<CheckReport[]> => {
    running ??= Promise.all(checks.map(([, check]) => runCheck(check, timeoutMs))).finally(() => {
      running = undefined;
    });
    return running;
  };

  const readyz = async (): Promise<Response> => {
    const reasons: string[] = [];
    if (options.server && runtimeOf(options.server).closing) reasons.push('shutting down');
    const reports = await runChecks();
    const byName: Record<string, CheckReport> = {};
    checks.forEach(([name], i) => {
      const report = reports[i]!;
      byName[name] = report;
      if (report.status === 'down') reasons.push(`${name}: down (${report.error})`);
    });
    const load: Record<string, { used: number; max: number }> = {};
    for (const handler of options.handlers ?? []) {
      for (const [bound, { used, max }] of Object.entries(handler.load)) {
        const seen = load[bound];
        load[bound] = seen ? { used: seen.used + used, max: seen.max + max } : { used, max };
      }
    }
    for (const [bound, { used, max }] of Object.entries(load)) {
      if (max > 0 && used >= max * saturation)
        reasons.push(`saturated: ${bound} ${used} of ${max} (raise the handler's bound, or add nodes)`);
    }
    const ready = reasons.length === 0;
    const body = {
      status: ready ? 'ready' : 'not ready',
      ...(ready ? {} : { reasons }),
      checks: byName,
      ...(Object.keys(load).length ? { load } : {}),
    };
    return new Response(JSON.stringify(body), { status: ready ? 200 : 503, headers: JSON_HEADERS });
  };

  return { healthz, readyz, routes: { '/healthz': healthz, '/readyz': readyz } };
}
