import { connect } from 'node:net';

/**
 * Whether a local service (Redis, NATS...) answers on its port. Unreachable: the caller's tests
 * skip with a message saying so, except under CI=true, where a missing service is a failure.
 */
export async function serviceAvailable(name: string, port: number): Promise<boolean> {
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
  if (reachable) return true;
  const message = `${name} is not reachable on 127.0.0.1:${port}`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI needs it (.ci/run starts it)`);
  process.stderr.write(`skipping the ${name} tests: ${message}\n`);
  return false;
}
