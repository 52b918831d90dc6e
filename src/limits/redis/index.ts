// mcpkit/limits/redis: rate limits shared between processes through Redis (`ioredis`, an optional
// peer dependency: this subpath only names the few commands it needs).
export { RedisLimitStore, type RedisLimitStoreOptions, type RedisScriptClient } from './redis-limit-store.js';
