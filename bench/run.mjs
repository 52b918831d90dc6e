// `npm run bench [-- --quick] [-- --profile] [-- --soak]`: every scenario for every implementation, in one run,
// interleaved (the order rotates each repeat) so machine drift hits all alike.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { barChart } from './lib/chart.mjs';
import { startHaproxy } from './lib/haproxy.mjs';
import { latencyStats, median, spread } from './lib/stats.mjs';
import { StdioDriver } from './lib/stdio-client.mjs';
import { summaryTable, targetsTable } from './lib/summary.mjs';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    profile: { type: 'boolean' },
    only: { type: 'string' },
    /** 200,000 mixed requests over HTTP and stdio with the servers' memory sampled (bench/soak.mjs). */
    soak: { type: 'boolean' },
    /** Rewrites latest.md and latest.svg from latest.json without measuring. */
    'report-only': { type: 'boolean' },
  },
});
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const QUICK = Boolean(flags.quick);
const P = QUICK
  ? {
      repeats: 2,
      seqCalls: 300,
      pipeCalls: 4000,
      httpMs: 800,
      sessions: 1000,
      inflight: 500,
      coldRuns: 3,
      listReps: 10,
      bigReps: 10,
    }
  : {
      repeats: 5,
      seqCalls: 2000,
      pipeCalls: 20000,
      httpMs: 3000,
      sessions: 1000,
      inflight: 800, // below the servers' default cap of 1,000 requests in flight
      coldRuns: 8,
      listReps: 40,
      bigReps: 40,
    };

const IMPLEMENTATIONS = [
  { id: 'mcpkit', label: 'mcpkit', script: 'servers/mcpkit.mjs', http: ['modern', 'legacy', 'stateless'] },
  { id: 'sdk-v1', label: 'sdk 1.32.2', script: 'servers/sdk-v1.mjs', http: ['legacy', 'stateless'] },
  { id: 'sdk-v2', label: 'server 2.4.0', script: 'servers/sdk-v2.mjs', http: ['modern', 'legacy'] },
  { id: 'raw', label: 'raw node', script: 'servers/raw.mjs', http: ['modern', 'legacy', 'stateless'] },
];

const node = process.execPath;
const serverArgs = (impl, extra = [], nodeFlags = []) => [
  '--expose-gc',
  ...nodeFlags,
  here(impl.script),
  ...extra,
];

/**
 * Servers run alone on the last core; this process and the load generator it spawns stay on the
 * others, so that the two never share a core (taskset, util-linux). Without taskset or with one
 * core, nothing is pinned and the report says so.
 */
const PINNED = (() => {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-cp', `0-${cpus().length - 2}`, String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const SERVER_CORE = String(cpus().length - 1);
/** Spawns a server, pinned to its own core when possible; the child's pid is the server's. */
function spawnServer(args, options) {
  return PINNED ? spawn('taskset', ['-c', SERVER_CORE, node, ...args], options) : spawn(node, args, options);
}
/** CPU time a process has used so far, in microseconds (Linux /proc; undefined elsewhere). */
const TICK_US = (() => {
  try {
    return 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 1e4;
  }
})();
function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US; // utime + stime
  } catch {
    return undefined;
  }
}

async function withStdio(impl, extra, fn, nodeFlags = []) {
  const args = serverArgs(impl, extra, nodeFlags);
  const driver = PINNED
    ? new StdioDriver('taskset', ['-c', SERVER_CORE, node, ...args])
    : new StdioDriver(node, args);
  try {
    await driver.initialize();
    return await fn(driver);
  } finally {
    await driver.close();
  }
}

async function withHttp(impl, fn, extra = []) {
  const child = spawnServer(serverArgs(impl, ['--transport', 'http', ...extra]), {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    child.stdout
      .setEncoding('utf8')
      .once('data', (line) => resolve(Number(/listening (\d+)/.exec(line)?.[1])));
    child.once('exit', (code) => reject(new Error(`${impl.id} http server exited ${code}`)));
  });
  try {
    return await fn(`http://127.0.0.1:${port}/mcp`, port, child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}

function loadgen(url, era, concurrency, durationMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [here('loadgen.mjs'), url, era, String(concurrency), String(durationMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`loadgen exited ${code}`)),
    );
  });
}

async function memoryOf(driver) {
  const result = await driver.call('mem');
  return JSON.parse(result.content[0].text);
}

/** A raw legacy `initialize` (2025-11-25) from a client called `name`; its response. */
function postInitialize(url, name) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name, version: '1' } },
    }),
  });
}

/**
 * The scale-out scenario: three mcpkit nodes on the machine's Redis (127.0.0.1:6379, keys under a
 * prefix of this run, deleted after), measured one node alone and all three behind HAProxy.
 * Null (reported as not measured) without Redis or haproxy.
 */
async function scaleOut() {
  const { Redis } = await import('ioredis');
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  if (
    !(await redis.connect().then(
      () => true,
      () => false,
    ))
  ) {
    process.stderr.write('scale-out: Redis is not reachable on 127.0.0.1:6379; not measured\n');
    return null;
  }
  const prefix = `mcpkit-bench:${process.pid}:`;
  const children = [];
  const ports = [];
  for (let i = 0; i < 3; i++) {
    const child = spawnServer([here('servers/mcpkit-redis.mjs'), '--prefix', prefix], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    ports.push(
      await new Promise((resolve, reject) => {
        child.stdout
          .setEncoding('utf8')
          .once('data', (line) => resolve(Number(/listening (\d+)/.exec(line)?.[1])));
        child.once('exit', (code) => reject(new Error(`mcpkit-redis node exited ${code}`)));
      }),
    );
  }
  const balancer = await startHaproxy(ports);
  try {
    if (!balancer) {
      process.stderr.write('scale-out: haproxy is not installed; not measured\n');
      return null;
    }
    const one = `http://127.0.0.1:${ports[0]}/mcp`;
    const three = `http://127.0.0.1:${balancer.port}/mcp`;
    const commands = async () =>
      Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1] ?? Number.NaN);
    const cpu = () => children.reduce((sum, c) => sum + (cpuMicros(c.pid) ?? Number.NaN), 0);
    const out = {};
    for (const era of ['legacy', 'modern']) {
      // Three cold processes on one core take several seconds to reach steady state (JIT, each
      // seeing a third of the load): warm them longer than the one.
      await loadgen(one, era, 16, P.httpMs);
      for (let i = 0; i < 3; i++) await loadgen(three, era, 16, P.httpMs);
      const samples = { one: [], three: [] };
      // Interleaved A B B A.
      for (const name of ['one', 'three', 'three', 'one']) {
        const [c0, r0] = [cpu(), await commands()];
        const r = await loadgen(name === 'one' ? one : three, era, 16, P.httpMs);
        const [c1, r1] = [cpu(), await commands()];
        if (r.errors > 0) throw new Error(`scale-out ${era} ${name}: ${r.errors} errors (${r.firstError})`);
        samples[name].push({ rps: r.rps, cpu: (c1 - c0) / r.requests, redis: (r1 - r0) / r.requests });
      }
      const mean = (name, key) => samples[name].reduce((a, x) => a + x[key], 0) / samples[name].length;
      out[`${era} c16 req/s, 1 node`] = mean('one', 'rps');
      out[`${era} c16 req/s, 3 nodes`] = mean('three', 'rps');
      out[`${era} 3 nodes / 1 node ×`] = mean('three', 'rps') / mean('one', 'rps');
      if (era === 'legacy') {
        out['legacy server CPU µs/req, 1 node'] = mean('one', 'cpu');
        out['legacy server CPU µs/req, 3 nodes'] = mean('three', 'cpu');
      }
      out[`Redis commands per ${era} request`] = (mean('one', 'redis') + mean('three', 'redis')) / 2;
    }
    // Idle legacy sessions: Redis memory each one takes (its session key; no events yet).
    const used = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    const before = await used();
    const SESSIONS = 1000;
    for (let i = 0; i < SESSIONS; i++) {
      const init = await postInitialize(one, 'idle');
      await init.text();
      const session = init.headers.get('mcp-session-id');
      const ack = await fetch(one, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': session,
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      });
      await ack.text();
    }
    out['Redis bytes per idle session'] = ((await used()) - before) / SESSIONS;
    return out;
  } finally {
    balancer?.stop();
    for (const child of children) child.kill('SIGKILL');
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

/** Each scenario returns { figureName: number } for one implementation, or null when unsupported. */
const SCENARIOS = [
  {
    id: 'stdio',
    title: 'stdio: tools/call (legacy session)',
    figures: { 'p50 ms': 'lower', 'p99 ms': 'lower', 'pipelined req/s (64 in flight)': 'higher' },
    run: (impl) =>
      withStdio(impl, [], async (d) => {
        // Steady state, not JIT warm-up: a server with a larger hot path needs more calls before
        // it is optimised, and a long-running server is measured warm. The same for every server.
        for (let i = 0; i < 2000; i++) await d.call('echo', { text: 'warm' });
        let warm = 0;
        await Promise.all(
          Array.from({ length: 64 }, async () => {
            while (warm++ < 5000) await d.call('echo', { text: 'warm' });
          }),
        );
        const samples = [];
        for (let i = 0; i < P.seqCalls; i++) {
          const t = performance.now();
          await d.call('echo', { text: 'hello' });
          samples.push(performance.now() - t);
        }
        const { p50, p99 } = latencyStats(samples);
        let sent = 0;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: 64 }, async () => {
            while (sent < P.pipeCalls) {
              sent++;
              await d.call('echo', { text: 'hello' });
            }
          }),
        );
        return {
          'p50 ms': p50,
          'p99 ms': p99,
          'pipelined req/s (64 in flight)': P.pipeCalls / ((performance.now() - t0) / 1000),
        };
      }),
  },
  ...['modern', 'legacy', 'stateless'].map((era) => ({
    id: `http-${era}`,
    title: `Streamable HTTP ${{ modern: 'modern', legacy: 'legacy (one session, JSON)', stateless: 'legacy stateless mode (no session, JSON)' }[era]}: tools/call`,
    figures: {
      ...Object.fromEntries(
        [1, 16, 64].flatMap((c) => [
          [`c${c} req/s`, 'higher'],
          [`c${c} server CPU µs/req`, 'lower'],
          [`c${c} p50 ms`, 'lower'],
          [`c${c} p99 ms`, 'lower'],
        ]),
      ),
      'heap retained B/req': 'lower',
      'RSS MiB under load': 'lower',
      // Who saturated at c64: the server should be near 100% of its core, the load generator not.
      'c64 server CPU %': 'higher',
      'c64 load generator CPU %': 'lower',
    },
    run: (impl) =>
      impl.http.includes(era)
        ? withHttp(impl, async (url, port, pid) => {
            const mem = async () => await (await fetch(`http://127.0.0.1:${port}/__mem`)).json();
            await loadgen(era === 'stateless' ? url.replace(/\/mcp$/, '/stateless') : url, era, 4, 300); // warm-up
            const before = await mem();
            const out = {};
            let requests = 0;
            const target = era === 'stateless' ? url.replace(/\/mcp$/, '/stateless') : url;
            for (const c of [1, 16, 64]) {
              const cpu0 = cpuMicros(pid);
              const r = await loadgen(target, era, c, P.httpMs);
              const cpu1 = cpuMicros(pid);
              if (r.errors > 0)
                throw new Error(`${impl.id} ${era} c${c}: ${r.errors} errors (${r.firstError})`);
              requests += r.requests;
              if (c === 64) {
                if (cpu0 !== undefined)
                  out['c64 server CPU %'] = ((cpu1 - cpu0) / (r.elapsedMs * 1000)) * 100;
                out['c64 load generator CPU %'] = r.cpuPercent;
              }
              Object.assign(out, {
                [`c${c} req/s`]: r.rps,
                ...(cpu0 !== undefined ? { [`c${c} server CPU µs/req`]: (cpu1 - cpu0) / r.requests } : {}),
                [`c${c} p50 ms`]: r.p50,
                [`c${c} p99 ms`]: r.p99,
              });
            }
            // Both after a forced GC (the servers' /__mem runs gc() twice): what the load left behind.
            const after = await mem();
            out['heap retained B/req'] = Math.max(0, after.heapUsed - before.heapUsed) / requests;
            out['RSS MiB under load'] = after.rss / 2 ** 20;
            return out;
          })
        : null,
  })),
  {
    id: 'http-auth',
    title:
      'Streamable HTTP modern, mcpkit without auth, with a bearer JWT (verified once, then cached), and with the whole chain (that JWT, a rate limit per principal, the reliability layer): tools/call at 64 connections',
    figures: {
      'c64 req/s, no auth': 'higher',
      'c64 req/s, cached JWT': 'higher',
      'c64 req/s, full chain': 'higher',
      'c64 server CPU µs/req, no auth': 'lower',
      'c64 server CPU µs/req, cached JWT': 'lower',
      'c64 server CPU µs/req, full chain': 'lower',
      'JWT CPU cost ×': 'lower',
      'full chain CPU cost ×': 'lower',
    },
    run: (impl) =>
      impl.id === 'mcpkit'
        ? withHttp(impl, async (url, _port, pid) => {
            const authUrl = url.replace(/\/mcp$/, '/auth');
            const chainUrl = url.replace(/\/mcp$/, '/chain');
            // Warm-up at full load on every path: the comparison is of steady states.
            await loadgen(url, 'modern', 64, P.httpMs);
            await loadgen(authUrl, 'modern-auth', 64, P.httpMs);
            await loadgen(chainUrl, 'modern-auth', 64, P.httpMs);
            const measure = async (target, era) => {
              const cpu0 = cpuMicros(pid);
              const r = await loadgen(target, era, 64, P.httpMs);
              const cpu1 = cpuMicros(pid);
              if (r.errors > 0) throw new Error(`mcpkit ${era}: ${r.errors} errors (${r.firstError})`);
              return { rps: r.rps, cpu: cpu0 === undefined ? undefined : (cpu1 - cpu0) / r.requests };
            };
            // Interleaved A B C C B A, so that every path sees the same machine and none always goes first.
            const plain = [await measure(url, 'modern')];
            const authed = [await measure(authUrl, 'modern-auth')];
            const chain = [await measure(chainUrl, 'modern-auth')];
            chain.push(await measure(chainUrl, 'modern-auth'));
            authed.push(await measure(authUrl, 'modern-auth'));
            plain.push(await measure(url, 'modern'));
            const mean = (xs, key) => xs.reduce((a, x) => a + x[key], 0) / xs.length;
            const out = {
              'c64 req/s, no auth': mean(plain, 'rps'),
              'c64 req/s, cached JWT': mean(authed, 'rps'),
              'c64 req/s, full chain': mean(chain, 'rps'),
            };
            if (plain[0].cpu !== undefined) {
              out['c64 server CPU µs/req, no auth'] = mean(plain, 'cpu');
              out['c64 server CPU µs/req, cached JWT'] = mean(authed, 'cpu');
              out['c64 server CPU µs/req, full chain'] = mean(chain, 'cpu');
              out['JWT CPU cost ×'] =
                out['c64 server CPU µs/req, cached JWT'] / out['c64 server CPU µs/req, no auth'];
              out['full chain CPU cost ×'] =
                out['c64 server CPU µs/req, full chain'] / out['c64 server CPU µs/req, no auth'];
            }
            return out;
          })
        : null,
  },
  {
    id: 'http-otel',
    title:
      'Streamable HTTP modern, mcpkit without telemetry; with Prometheus metrics only (no SDK); with OpenTelemetry traces (SDK tracer sampling every request, batched to an exporter that drops them) and metrics: tools/call at 64 connections, three servers on the server core, loaded in turn',
    figures: {
      'c64 req/s, no telemetry': 'higher',
      'c64 req/s, metrics': 'higher',
      'c64 req/s, traces and metrics': 'higher',
      'c64 server CPU µs/req, no telemetry': 'lower',
      'c64 server CPU µs/req, metrics': 'lower',
      'c64 server CPU µs/req, traces and metrics': 'lower',
      'c64 throughput with metrics ×': 'higher',
      'c64 throughput with traces and metrics ×': 'higher',
    },
    run: (impl) =>
      impl.id === 'mcpkit'
        ? withHttp(impl, (plainUrl, _p1, plainPid) =>
            withHttp(
              impl,
              (metricsUrl, _p2, metricsPid) =>
                withHttp(
                  impl,
                  async (fullUrl, _p3, fullPid) => {
                    const servers = {
                      plain: [plainUrl, plainPid],
                      metrics: [metricsUrl, metricsPid],
                      full: [fullUrl, fullPid],
                    };
                    for (const [url] of Object.values(servers)) await loadgen(url, 'modern', 64, P.httpMs);
                    const samples = { plain: [], metrics: [], full: [] };
                    const measure = async (name) => {
                      const [url, pid] = servers[name];
                      const cpu0 = cpuMicros(pid);
                      const r = await loadgen(url, 'modern', 64, P.httpMs);
                      const cpu1 = cpuMicros(pid);
                      if (r.errors > 0)
                        throw new Error(`mcpkit ${name}: ${r.errors} errors (${r.firstError})`);
                      samples[name].push({
                        rps: r.rps,
                        cpu: cpu0 === undefined ? undefined : (cpu1 - cpu0) / r.requests,
                      });
                    };
                    // Interleaved A B C C B A: all three see the same machine, none always goes first.
                    for (const name of ['plain', 'metrics', 'full', 'full', 'metrics', 'plain'])
                      await measure(name);
                    const mean = (name, key) =>
                      samples[name].reduce((a, x) => a + x[key], 0) / samples[name].length;
                    const out = {
                      'c64 req/s, no telemetry': mean('plain', 'rps'),
                      'c64 req/s, metrics': mean('metrics', 'rps'),
                      'c64 req/s, traces and metrics': mean('full', 'rps'),
                    };
                    out['c64 throughput with metrics ×'] =
                      out['c64 req/s, metrics'] / out['c64 req/s, no telemetry'];
                    out['c64 throughput with traces and metrics ×'] =
                      out['c64 req/s, traces and metrics'] / out['c64 req/s, no telemetry'];
                    if (samples.plain[0].cpu !== undefined) {
                      out['c64 server CPU µs/req, no telemetry'] = mean('plain', 'cpu');
                      out['c64 server CPU µs/req, metrics'] = mean('metrics', 'cpu');
                      out['c64 server CPU µs/req, traces and metrics'] = mean('full', 'cpu');
                    }
                    return out;
                  },
                  ['--otel', 'full'],
                ),
              ['--otel', 'metrics'],
            ),
          )
        : null,
  },
  {
    id: 'scale-out',
    title:
      'Scaled out on Redis (sessions, events, bus): mcpkit tools/call at 16 connections, one node vs three behind HAProxy (round-robin per request); the nodes share the server core, HAProxy and Redis run beside the load generator',
    figures: {
      'legacy c16 req/s, 1 node': 'higher',
      'legacy c16 req/s, 3 nodes': 'higher',
      'legacy 3 nodes / 1 node ×': 'higher',
      'modern c16 req/s, 1 node': 'higher',
      'modern c16 req/s, 3 nodes': 'higher',
      'modern 3 nodes / 1 node ×': 'higher',
      'legacy server CPU µs/req, 1 node': 'lower',
      'legacy server CPU µs/req, 3 nodes': 'lower',
      'Redis commands per legacy request': 'lower',
      'Redis commands per modern request': 'lower',
      'Redis bytes per idle session': 'lower',
    },
    run: (impl) => (impl.id === 'mcpkit' ? scaleOut() : null),
  },
  {
    id: 'memory',
    title: 'Memory',
    figures: { 'KiB per idle legacy HTTP session': 'lower', 'KiB per in-flight request (stdio)': 'lower' },
    run: async (impl) => {
      const out = {};
      if (impl.http.includes('legacy')) {
        await withHttp(impl, async (url, port) => {
          const mem = async () => (await (await fetch(`http://127.0.0.1:${port}/__mem`)).json()).heapUsed;
          const init = () => postInitialize(url, 'b').then((r) => r.text());
          for (let i = 0; i < 20; i++) await init();
          const before = await mem();
          for (let i = 0; i < P.sessions; i += 50) await Promise.all(Array.from({ length: 50 }, init));
          out['KiB per idle legacy HTTP session'] =
            (await mem()) - before > 0 ? ((await mem()) - before) / P.sessions / 1024 : 0;
        });
      }
      await withStdio(impl, [], async (d) => {
        await d.call('echo', { text: 'warm' });
        const before = (await memoryOf(d)).heapUsed;
        const holds = Array.from({ length: P.inflight }, () => d.call('hold'));
        await new Promise((r) => setTimeout(r, 200));
        const during = (await memoryOf(d)).heapUsed;
        await d.call('release');
        await Promise.all(holds);
        out['KiB per in-flight request (stdio)'] = Math.max(0, during - before) / P.inflight / 1024;
      });
      return out;
    },
  },
  {
    id: 'cold-start',
    title: 'Cold start over stdio (spawn to the first tools/call answered)',
    figures: { 'ms to first tools/call': 'lower', 'ms with 10,000 tools': 'lower' },
    run: async (impl) => {
      const time = async (extra) => {
        const runs = [];
        for (let i = 0; i < P.coldRuns; i++) {
          const t = performance.now();
          await withStdio(impl, extra, (d) => d.call('echo', { text: 'first' }));
          runs.push(performance.now() - t);
        }
        return median(runs);
      };
      return {
        'ms to first tools/call': await time([]),
        'ms with 10,000 tools': await time(['--tools', '10000']),
      };
    },
  },
  {
    id: 'payloads',
    title: 'Large payloads over stdio',
    figures: { 'tools/list, 1,000 tools: ms': 'lower', '1 MiB tool result: ms': 'lower' },
    run: (impl) =>
      withStdio(impl, ['--tools', '1000'], async (d) => {
        const listAll = async () => {
          let cursor;
          let count = 0;
          do {
            const page = await d.request('tools/list', cursor ? { cursor } : {});
            count += page.tools.length;
            cursor = page.nextCursor;
          } while (cursor);
          return count;
        };
        if ((await listAll()) < 1000) throw new Error(`${impl.id} listed fewer than 1,000 tools`);
        const lists = [];
        for (let i = 0; i < P.listReps; i++) {
          const t = performance.now();
          await listAll();
          lists.push(performance.now() - t);
        }
        await d.call('big');
        const bigs = [];
        for (let i = 0; i < P.bigReps; i++) {
          const t = performance.now();
          const r = await d.call('big');
          if (r.content[0].text.length !== 1024 * 1024) throw new Error('short big result');
          bigs.push(performance.now() - t);
        }
        return { 'tools/list, 1,000 tools: ms': median(lists), '1 MiB tool result: ms': median(bigs) };
      }),
  },
];

async function profile() {
  const dir = here('results/profiles');
  mkdirSync(dir, { recursive: true });
  const impl = IMPLEMENTATIONS[0];
  await withStdio(
    impl,
    [],
    async (d) => {
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          for (let i = 0; i < 800; i++) await d.call('echo', { text: 'hello' });
        }),
      );
    },
    ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  );
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .at(-1);
  const prof = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
  const self = new Map();
  const counts = new Map(prof.samples.map((id) => [id, 0]));
  for (const id of prof.samples) counts.set(id, counts.get(id) + 1);
  let total = 0;
  for (const n of prof.nodes) {
    const hits = counts.get(n.id) ?? 0;
    total += hits;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|dist|bench)\//, '$1/')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + hits);
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20);
  const lines = top.map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  writeFileSync(here('results/profile-top.txt'), `${lines.join('\n')}\n`);
  process.stdout.write(
    `Self time, mcpkit stdio server under 64 pipelined tools/call (${file}):\n${lines.join('\n')}\n`,
  );
}

if (flags.profile) {
  await profile();
  process.exit(0);
}

if (flags.soak) {
  const { runSoak, soakReport } = await import('./soak.mjs');
  const result = await runSoak({
    onSample: (s) =>
      process.stderr.write(
        `soak: ${s.requests} requests, HTTP RSS ${(s.httpRss / 1048576).toFixed(1)} MiB\n`,
      ),
  });
  const report = soakReport(result);
  mkdirSync(here('results'), { recursive: true });
  writeFileSync(here('results/soak.md'), `# Soak\n\n${report}\n`);
  process.stdout.write(`${report}\n`);
  process.exit(result.failures === 0 ? 0 : 1);
}

async function measure() {
  const started = Date.now();
  const raw = {}; // raw[scenario][impl][figure] = number[]
  for (let r = 0; r < P.repeats; r++) {
    const order = IMPLEMENTATIONS.map((_, i) => IMPLEMENTATIONS[(i + r) % IMPLEMENTATIONS.length]);
    for (const scenario of SCENARIOS) {
      if (flags.only && scenario.id !== flags.only) continue;
      for (const impl of order) {
        const figures = await scenario.run(impl);
        process.stderr.write(
          `repeat ${r + 1}/${P.repeats} ${scenario.id} ${impl.id}: ${figures ? 'ok' : 'n/a'}\n`,
        );
        if (!figures) continue;
        for (const [name, value] of Object.entries(figures)) {
          ((raw[scenario.id] ??= {})[impl.id] ??= {})[name] ??= [];
          raw[scenario.id][impl.id][name].push(value);
        }
      }
    }
  }

  const results = {
    date: new Date().toISOString(),
    mode: QUICK ? 'quick' : 'full',
    machine: {
      pinned: PINNED
        ? `servers on core ${SERVER_CORE}, load generator and driver on the others`
        : 'not pinned',
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    parameters: P,
    seconds: Math.round((Date.now() - started) / 1000),
    implementations: IMPLEMENTATIONS.map(({ id, label }) => ({ id, label })),
    scenarios: SCENARIOS.map((s) => ({
      id: s.id,
      title: s.title,
      figures: Object.entries(s.figures).map(([name, better]) => ({
        name,
        better,
        values: Object.fromEntries(
          IMPLEMENTATIONS.flatMap((impl) => {
            const samples = raw[s.id]?.[impl.id]?.[name];
            return samples ? [[impl.id, { median: median(samples), spread: spread(samples), samples }]] : [];
          }),
        ),
      })),
    })),
  };
  return results;
}

const results = flags['report-only']
  ? JSON.parse(readFileSync(here('results/latest.json'), 'utf8'))
  : await measure();

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));
const ratio = (value, ref, better) =>
  ref ? `${(better === 'higher' ? value / ref : ref / value).toFixed(2)}×` : '–';
const md = [
  `# Benchmark results (${results.mode} run)`,
  '',
  `${results.date}, Node ${results.machine.node}, ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB; ${results.seconds} s; ${results.machine.pinned ?? 'not pinned'}.`,
  `Each figure is the median of ${results.parameters.repeats} interleaved repeats; ± is the spread (max − min) / median. "vs v2" and "vs raw" are`,
  'speed-ups relative to `@modelcontextprotocol/server` 2.4.0 and to the raw baseline: above 1× is better, whichever way the figure points.',
  '',
  '## Summary (speed-up against server 2.4.0 in brackets)',
  '',
  ...(flags.only
    ? []
    : [
        summaryTable(results),
        '',
        '## Targets of the HTTP redesign (issue 9) and of observability (issue 13), this run',
        '',
        targetsTable(results),
        '',
      ]),
];
for (const s of results.scenarios) {
  md.push(
    `## ${s.title}`,
    '',
    `| implementation | ${s.figures.map((f) => f.name).join(' | ')} |`,
    `|---|${s.figures.map(() => '---').join('|')}|`,
  );
  for (const impl of IMPLEMENTATIONS) {
    const cells = s.figures.map((f) => {
      const v = f.values[impl.id];
      if (!v) return 'n/a';
      const v2 = f.values['sdk-v2']?.median;
      const base = f.values.raw?.median;
      return `${fmt(v.median)} ±${Math.round(v.spread * 100)}% (vs v2 ${ratio(v.median, v2, f.better)}, vs raw ${ratio(v.median, base, f.better)})`;
    });
    md.push(`| ${impl.label} | ${cells.join(' | ')} |`);
  }
  md.push('');
}

const panels = flags.only
  ? []
  : [
      ['stdio', 'pipelined req/s (64 in flight)', 'stdio req/s (64 in flight)'],
      ['stdio', 'p50 ms', 'stdio p50 latency, ms'],
      ['http-modern', 'c64 req/s', 'HTTP modern req/s (c64)'],
      ['http-legacy', 'c64 req/s', 'HTTP legacy req/s (c64)'],
      ['http-modern', 'c1 p50 ms', 'HTTP modern p50 ms (c1)'],
      ['http-legacy', 'c1 p50 ms', 'HTTP legacy p50 ms (c1)'],
    ].map(([sid, name, title]) => {
      const figure = results.scenarios.find((s) => s.id === sid).figures.find((f) => f.name === name);
      return {
        title,
        values: IMPLEMENTATIONS.map((impl) => ({ id: impl.id, value: figure.values[impl.id]?.median })),
      };
    });

if (flags.only) {
  // A partial run prints its tables but leaves the full results in place.
  process.stdout.write(`${md.join('\n')}\n`);
  process.exit(0);
}
mkdirSync(here('results'), { recursive: true });
if (!flags['report-only'])
  writeFileSync(here('results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(here('results/latest.md'), md.join('\n'));
writeFileSync(here('results/latest.svg'), barChart(panels, IMPLEMENTATIONS));
process.stdout.write(`${md.join('\n')}\nwrote bench/results/latest.{md,json,svg} in ${results.seconds} s\n`);
