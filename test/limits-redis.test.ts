import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/idp.mjs';
import { callTool, limitedServer, stopAll } from './helpers/limited.js';
import { serviceAvailable } from './helpers/services.js';

// Rate limits shared through the machine's Redis by separate server processes, and what happens
// when a Redis goes away (a Redis of the test's own, started and killed here).

const redisUp = await serviceAvailable('Redis', 6379);
const redisServers: ChildProcess[] = [];
afterAll(() => stopAll(redisServers));

describe.skipIf(!redisUp)('rate limits in Redis', () => {
  it('two server processes sharing one limit admit the configured rate between them', async () => {
    const rate = 100;
    const prefix = `mcpkit-test:${process.pid}:${Date.now()}:`;
    const urls = await Promise.all(
      [1, 2].map(() => limitedServer(['--redis-port', '6379', '--rate', `${rate}`, '--prefix', prefix])),
    );
    const counts = new Map<string, number>();
    const started = performance.now();
    let turn = 0;
    // Eight callers, alternating between the two servers, for ten seconds.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() - started < 10_000) {
          const outcome = await callTool(urls[turn++ % 2]!);
          counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
        }
      }),
    );
    const elapsedSeconds = (performance.now() - started) / 1000;
    const admitted = counts.get('200') ?? 0;
    const refused = counts.get('429 retry-after 1') ?? 0;
    // The burst, then the refill over the window: what one bucket allows, whichever server asks.
    const allowed = rate + rate * elapsedSeconds;
    process.stdout.write(
      `two processes, one Redis limit of ${rate}/s: ${admitted} admitted, ${refused} refused in ${elapsedSeconds.toFixed(2)} s (allowed ${allowed.toFixed(0)})\n`,
    );
    expect([...counts.keys()].sort()).toEqual(['200', '429 retry-after 1']); // nothing else, nothing hung
    expect(refused).toBeGreaterThan(admitted); // the callers pressed well past the limit
    expect(Math.abs(admitted - allowed) / allowed).toBeLessThan(0.05);
  }, 30_000);

  it('a Redis that goes away: closed refuses with 503, open lets through, nothing hangs; back, it limits again', async () => {
    const port = await freePort();
    const startRedis = () => {
      const redis = spawn('redis-server', ['--port', `${port}`, '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      redisServers.push(redis);
      return redis;
    };
    let redis = startRedis();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const prefix = `mcpkit-test:${process.pid}:down:`;
    const args = ['--redis-port', `${port}`, '--rate', '2', '--prefix'];
    const closed = await limitedServer([...args, prefix, '--policy', 'closed']);
    const open = await limitedServer([...args, `${prefix}o:`, '--policy', 'open']);
    expect([await callTool(closed), await callTool(closed), await callTool(closed)]).toEqual([
      '200',
      '200',
      '429 retry-after 1',
    ]);
    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    expect(await Promise.all(Array.from({ length: 5 }, () => callTool(closed)))).toEqual(
      Array(5).fill('503 retry-after 1'),
    );
    // Open: past the limit, since nothing counts while Redis is away.
    expect(await Promise.all(Array.from({ length: 5 }, () => callTool(open)))).toEqual(Array(5).fill('200'));
    redis = startRedis();
    let back = '503 retry-after 1';
    for (let i = 0; i < 50 && back === '503 retry-after 1'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      back = await callTool(closed);
    }
    expect(back).toBe('200'); // ioredis reconnected on its own
  }, 30_000);
});
