// mcpkit/redis: the pluggable stores on Redis, for several nodes behind one load balancer
// (`ioredis`, an optional peer dependency: the stores take a client and name only `call`).
export { RedisBus, type RedisBusOptions, type RedisSubscriber } from './redis-bus.js';
export type { RedisCommands } from './redis-commands.js';
export { RedisEventStore, type RedisEventStoreOptions } from './redis-event-store.js';
export { RedisSessionStore, type RedisSessionStoreOptions } from './redis-session-store.js';
export { RedisTaskStore, type RedisTaskStoreOptions } from './redis-task-store.js';
