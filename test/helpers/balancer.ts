import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './idp.mjs';

/**
 * Whether HAProxy is installed (Debian's `haproxy`, which .ci/run installs). Absent: the caller's
 * tests skip with a message saying so, except under CI=true, where that is a failure.
 */
export function haproxyAvailable(): boolean {
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    const message = 'haproxy is not installed (apt-get install haproxy)';
    if (process.env.CI === 'true') throw new Error(`${message}; CI needs it (.ci/run installs it)`);
    process.stderr.write(`skipping the load-balancer tests: ${message}\n`);
    return false;
  }
}

export interface Balancer {
  /** The balanced MCP endpoint. */
  url: string;
  stop(): Promise<void>;
}

/**
 * HAProxy in front of `backends` (host:port each): HTTP mode, round-robin per request, no
 * stickiness of any kind. A backend that refuses connections is marked down within a second by
 * its health check (`healthPath`), and a request that could not connect is sent to another one.
 * Streams stay open for a minute of silence.
 */
export async function startBalancer(backends: string[], healthPath: string): Promise<Balancer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mcpkit-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 4096',
      ...(process.env.DEBUG_HAPROXY ? ['  log stderr format raw local0'] : []),
      'defaults',
      '  mode http',
      ...(process.env.DEBUG_HAPROXY ? ['  log global', '  option httplog'] : []),
      '  option forwardfor',
      '  option redispatch 1',
      '  retries 3',
      // A request sent on a kept-alive connection to a node that just died gets no answer: it is
      // sent again, to another node (it never ran where it went).
      '  retry-on conn-failure empty-response',
      '  timeout connect 1s',
      '  timeout client 60s',
      '  timeout server 60s',
      'frontend mcp',
      `  bind 127.0.0.1:${port}`,
      '  default_backend nodes',
      'backend nodes',
      '  balance roundrobin',
      `  option httpchk GET ${healthPath}`,
      '  default-server inter 250 fall 2 rise 2',
      ...backends.map((backend, i) => `  server node${i} ${backend} check`),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('haproxy', ['-f', config, '-db'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => void (log += chunk));
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${log}`);
    const up = await fetch(`http://127.0.0.1:${port}${healthPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not answer on port ${port}: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async stop() {
      // DEBUG_HAPROXY=1: its log (one line per request: node, timings, how it ended).
      if (process.env.DEBUG_HAPROXY) process.stderr.write(log);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
