// HAProxy in front of benchmark nodes: HTTP mode, round-robin per request, no stickiness, no health
// checks (the nodes do not fail here). Resolves with its port, or undefined without haproxy.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
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
      // Server connections serve any client connection: per-request balancing opens none per request.
      '  http-reuse always',
      ...backendPorts.map((p, i) => `  server node${i} 127.0.0.1:${p}`),
      '',
    ].join('\n'),
  );
  const child = spawn('haproxy', ['-f', config, '-db'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    // Listening is enough: a request would reach a node, and not every benchmark server takes any.
    const up = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket.destroy() || true));
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, stop: () => child.kill('SIGKILL') };
}
