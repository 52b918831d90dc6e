// HAProxy in front of benchmark nodes: HTTP mode, round-robin per request, no stickiness, no health
// checks (the nodes do not fail here). Resolves with its port, or undefined without haproxy.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

export async function startHaproxy(backendPorts) {
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const port = await freePort();
  const config = join(mkdtempSync(join(tmpdir(), 'bench-haproxy-')), 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 8192',
      'defaults',
      '  mode http',
      '  option forwardfor',
      '  timeout connect 1s',
      '  timeout client 60s',
      '  timeout server 60s',
      'frontend bench',
      `  bind 127.0.0.1:${port}`,
      '  default_backend nodes',
      'backend nodes',
      '  balance roundrobin',
      ...backendPorts.map((p, i) => `  server node${i} 127.0.0.1:${p}`),
      '',
    ].join('\n'),
  );
  const child = spawn('haproxy', ['-f', config, '-db'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, stop: () => child.kill('SIGKILL') };
}
