import type { Bus } from '../engine/bus.js';
import type { HealthCheck } from '../health/index.js';
import type { TaskStore } from '../server/tasks.js';
import type { EventStore } from '../transports/streamable-http/event-store.js';
import type { SessionStore } from '../transports/streamable-http/session-store.js';

export interface DemoRedis {
  sessionStore: SessionStore;
  eventStore: EventStore;
  taskStore: TaskStore;
  bus: Bus;
  /** MRTR state signed by one demo and opened by another: one HMAC key for every demo on this Redis. */
  requestStateSecret: Uint8Array;
  /** For /readyz: Redis answers. */
  check: HealthCheck;
  close(): Promise<void>;
}

/**
 * `mcpkit demo --redis <url>`: every per-client state on Redis, so that demos on several ports (or
 * machines) behave as one server. ioredis is an optional peer: loaded only for this flag.
 */
export async function demoRedis(url: string): Promise<DemoRedis> {
  let Redis: typeof import('ioredis').Redis;
  try {
    ({ Redis } = await import('ioredis'));
  } catch {
    throw new Error('--redis needs the ioredis package: npm install ioredis');
  }
  const { RedisBus, RedisEventStore, RedisSessionStore, RedisTaskStore } = await import('../redis/index.js');
  // Commands fail at once while Redis is away (reconnecting in the background): nothing hangs.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => {}); // readiness reports it; ioredis reconnects by itself
  await redis.connect().catch((error: Error) => {
    throw new Error(`--redis: cannot reach ${url} (${error.message})`);
  });
  // Its own connection (a subscriber takes one out of normal use), connected before the bus uses it.
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  await subscriber.connect();
  // The first demo on this Redis makes the key; the others read it. It has no TTL: a demo started
  // after it expired would sign with another key than those already running.
  const secretKey = 'mcpkit:demo:request-state-secret';
  const made = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
  await redis.call('SET', secretKey, made, 'NX');
  const secret = String(await redis.call('GET', secretKey));
  return {
    requestStateSecret: new Uint8Array(Buffer.from(secret, 'base64')),
    sessionStore: new RedisSessionStore(redis),
    eventStore: new RedisEventStore(redis),
    taskStore: new RedisTaskStore(redis),
    bus: new RedisBus(redis, subscriber),
    check: () => redis.ping(),
    async close() {
      subscriber.disconnect();
      redis.disconnect();
    },
  };
}
