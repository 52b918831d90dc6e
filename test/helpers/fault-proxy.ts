import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to the next requests; `pass` forwards them. */
export type Fault = 'pass' | 'drop' | '503' | '429' | 'stall';

/**
 * A local HTTP proxy in front of a real MCP server that fails on purpose: it drops the
 * connection, answers 503 or 429 (with Retry-After), or never answers, for the next `times`
 * POSTs whose JSON-RPC method is `method` (any, when not given), then forwards again.
 */
export async function faultProxy(target: string) {
  const url = new URL(target);
  const plans: { fault: Fault; times: number; method?: string }[] = [];
  /** POSTs per JSON-RPC method (and tool name) that reached the real server. */
  const forwarded = new Map<string, number>();
  const stalled = new Set<() => void>();
  /** GET streams being relayed, to cut mid-stream. */
  const streams = new Set<() => void>();
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    let key = req.method ?? '';
    try {
      const message = JSON.parse(body) as { method?: string; params?: { name?: string } };
      key = message.params?.name ? `${message.method}:${message.params.name}` : (message.method ?? key);
    } catch {
      // a GET or a body that is not JSON: forwarded as it is
    }
    const plan = plans.find((p) => p.times > 0 && (!p.method || key.startsWith(p.method)));
    if (plan) {
      plan.times--;
      if (plan.fault === 'drop') return req.socket.destroy();
      if (plan.fault === 'stall') return void stalled.add(() => res.destroy());
      if (plan.fault === '503') return res.writeHead(503, { 'retry-after': '0' }).end('busy');
      if (plan.fault === '429') return res.writeHead(429, { 'retry-after': '1' }).end('slow down');
    }
    forwarded.set(key, (forwarded.get(key) ?? 0) + 1);
    const upstream = request(
      { host: url.hostname, port: url.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        if (req.method === 'GET') {
          const cut = () => {
            answer.destroy();
            res.destroy();
          };
          streams.add(cut);
          res.once('close', () => streams.delete(cut));
        }
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${url.pathname}`,
    fail(fault: Fault, times: number, method?: string) {
      plans.push({ fault, times, ...(method ? { method } : {}) });
    },
    /** Cuts every GET stream being relayed, as a network failure would. */
    cutStreams() {
      const cuts = [...streams];
      for (const cut of cuts) cut();
      return cuts.length;
    },
    /** Forgets every fault still planned: the proxy forwards again. */
    heal() {
      plans.length = 0;
    },
    forwarded: (key: string) => forwarded.get(key) ?? 0,
    close() {
      for (const end of stalled) end();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
