// The soak scenario: many mixed requests over Streamable HTTP (both eras, legacy sessions with
// SSE-upgraded POSTs, session churn, malformed requests) and over stdio, with the servers' memory
// sampled as it goes. `npm run bench -- --soak` runs 200,000; test/soak.test.ts a short variant.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StdioDriver } from './lib/stdio-client.mjs';

const SERVER = fileURLToPath(new URL('servers/soak-server.mjs', import.meta.url));
const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'soak', version: '1' },
};
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function startHttp() {
  const child = spawn(process.execPath, ['--expose-gc', SERVER, '--transport', 'http'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = new Promise((resolve, reject) => {
    child.stdout
      .setEncoding('utf8')
      .once('data', (line) => resolve(Number(/listening (\d+)/.exec(line)?.[1])));
    child.once('exit', (code) => reject(new Error(`soak HTTP server exited ${code}`)));
  });
  return { child, port };
}

/** One HTTP client of the soak: a legacy session of its own plus modern calls, and some abuse. */
class HttpWorker {
  constructor(url) {
    this.url = url;
    this.next = 1;
  }

  async post(body, headers = {}) {
    const r = await fetch(this.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, text, session: r.headers.get('mcp-session-id') };
  }

  modern(name, args) {
    return this.post(
      {
        jsonrpc: '2.0',
        id: this.next++,
        method: 'tools/call',
        params: { name, arguments: args, _meta: { ...MODERN_META, progressToken: 1 } },
      },
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name },
    );
  }

  async openSession() {
    const r = await this.post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'soak', version: '1' } },
    });
    this.session = r.session;
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' }, this.legacyHeaders());
  }

  legacyHeaders() {
    return { 'mcp-session-id': this.session, 'mcp-protocol-version': '2025-11-25' };
  }

  legacy(method, params) {
    return this.post({ jsonrpc: '2.0', id: this.next++, method, params }, this.legacyHeaders());
  }

  async closeSession() {
    if (!this.session) return;
    await fetch(this.url, { method: 'DELETE', headers: { 'mcp-session-id': this.session } });
    this.session = undefined;
  }

  /** One request of the mix; returns false for an answer that should not have come. */
  async step(i) {
    const kind = i % 20;
    if (kind < 7) return ok(await this.modern('echo', { text: `m${i}` }));
    if (kind < 9) return ok(await this.modern('steps', { n: 3 }));
    if (kind < 10)
      return ok(
        await this.post(
          { jsonrpc: '2.0', id: i, method: 'tools/list', params: { _meta: MODERN_META } },
          { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
        ),
      );
    if (!this.session) await this.openSession();
    if (kind < 13) return ok(await this.legacy('tools/call', { name: 'echo', arguments: { text: `l${i}` } }));
    // Progress upgrades the POST to SSE: its events go through the event store.
    if (kind < 16)
      return ok(
        await this.legacy('tools/call', { name: 'steps', arguments: { n: 3 }, _meta: { progressToken: i } }),
      );
    if (kind < 17) {
      await this.closeSession(); // churn: the next legacy step opens a new session
      return true;
    }
    // Malformed input must be refused with a 4xx, never a 5xx.
    const bad = [
      () => this.post('{ not json'),
      () => this.post('[1,{"foo":1}]'),
      () => this.post({ jsonrpc: '2.0', id: i, method: 'no/such' }, this.legacyHeaders()),
    ][kind - 17];
    const r = await bad();
    return r.status >= 200 && r.status < 500;
  }
}

const ok = (r) => r.status === 200 && !r.text.includes('"error"');

async function stats(call) {
  return JSON.parse((await call()).content[0].text);
}

/**
 * Runs the soak: `httpRequests` over HTTP from `concurrency` clients and `stdioRequests` over one
 * stdio connection (64 in flight). `onSample` sees the servers' memory every `sampleEvery`.
 */
export async function runSoak({
  httpRequests = 150_000,
  stdioRequests = 50_000,
  concurrency = 16,
  sampleEvery = 10_000,
  onSample = () => {},
} = {}) {
  const http = startHttp();
  const stdio = new StdioDriver(process.execPath, ['--expose-gc', SERVER, '--transport', 'stdio']);
  try {
    const port = await http.port;
    const url = `http://127.0.0.1:${port}/mcp`;
    await stdio.initialize();
    const probe = new HttpWorker(url);
    const httpStats = async () =>
      stats(async () => JSON.parse((await probe.modern('soak_stats', {})).text).result);
    const stdioStats = () => stats(() => stdio.call('soak_stats'));
    // Warm up, then take the baseline after a forced GC.
    const warm = new HttpWorker(url);
    for (let i = 0; i < 200; i++) await warm.step(i);
    await warm.closeSession();
    for (let i = 0; i < 200; i++) await stdio.call('echo', { text: 'warm' });
    const before = { http: await httpStats(), stdio: await stdioStats() };
    const samples = [];
    let done = 0;
    let failures = 0;
    const started = performance.now();
    const sample = async () => {
      const [h, d] = [await httpStats(), await stdioStats()];
      const s = {
        requests: done,
        httpRss: h.rss,
        httpHeap: h.heapUsed,
        eventBytes: h.events.bytes,
        stdioRss: d.rss,
        stdioHeap: d.heapUsed,
      };
      samples.push(s);
      onSample(s);
    };
    let nextSample = sampleEvery;
    const maybeSample = async () => {
      if (done >= nextSample) {
        nextSample += sampleEvery;
        await sample();
      }
    };
    const workers = Array.from({ length: concurrency }, () => new HttpWorker(url));
    let issued = 0;
    const httpLoad = Promise.all(
      workers.map(async (w) => {
        while (issued < httpRequests) {
          const i = issued++;
          if (!(await w.step(i))) failures++;
          done++;
          await maybeSample();
        }
      }),
    );
    let stdioIssued = 0;
    const stdioLoad = Promise.all(
      Array.from({ length: 64 }, async () => {
        while (stdioIssued < stdioRequests) {
          const i = stdioIssued++;
          const r = await (i % 4 === 0
            ? stdio.call('steps', { n: 2 })
            : i % 4 === 1
              ? stdio.request('tools/list', {})
              : stdio.call('echo', { text: `s${i}` })
          ).catch(() => undefined);
          if (!r) failures++;
          done++;
          await maybeSample();
        }
      }),
    );
    await Promise.all([httpLoad, stdioLoad]);
    const seconds = (performance.now() - started) / 1000;
    await sample();
    // DELETE every session: nothing of them may stay behind.
    await Promise.all(workers.map((w) => w.closeSession()));
    const after = { http: await httpStats(), stdio: await stdioStats() };
    return { requests: done, failures, seconds, before, after, samples };
  } finally {
    http.child.kill('SIGKILL');
    await stdio.close().catch(() => {});
  }
}

const MiB = 1024 * 1024;
export function soakReport(r) {
  const mb = (n) => (n / MiB).toFixed(1);
  const lines = [
    `soak: ${r.requests} requests in ${r.seconds.toFixed(1)} s (${Math.round(r.requests / r.seconds)} req/s), ${r.failures} unexpected answers`,
    '',
    '| requests | HTTP server RSS MiB | HTTP heap after GC MiB | event store MiB | stdio server RSS MiB | stdio heap after GC MiB |',
    '|---:|---:|---:|---:|---:|---:|',
    ...r.samples.map(
      (s) =>
        `| ${s.requests} | ${mb(s.httpRss)} | ${mb(s.httpHeap)} | ${mb(s.eventBytes)} | ${mb(s.stdioRss)} | ${mb(s.stdioHeap)} |`,
    ),
    '',
    `heap after GC, HTTP server: ${mb(r.before.http.heapUsed)} MiB before, ${mb(r.after.http.heapUsed)} MiB after (every session deleted)`,
    `heap after GC, stdio server: ${mb(r.before.stdio.heapUsed)} MiB before, ${mb(r.after.stdio.heapUsed)} MiB after`,
    `event store after DELETE of every session: ${JSON.stringify(r.after.http.events)}; sessions open: ${r.after.http.sessions}`,
  ];
  return lines.join('\n');
}
