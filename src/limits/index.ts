// mcpkit/limits: token-bucket rate limits and the reliability layer, as server middleware.
// Web standards only; Redis-backed limits are in mcpkit/limits/redis.

export { type ChainOptions, chain } from './chain.js';
export {
  type Bucket,
  type Decision,
  type LimitStore,
  MemoryLimitStore,
  type MemoryLimitStoreOptions,
} from './limit-store.js';
export { type Period, parseRate } from './rate.js';
export {
  type LimitKey,
  type RateLimitOptions,
  type RateLimitRule,
  rateLimit,
} from './rate-limit.js';
export { type ReliabilityOptions, reliability, type ToolReliability } from './reliability.js';
