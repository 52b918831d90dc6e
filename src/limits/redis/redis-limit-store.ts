import type { Bucket, Decision, LimitStore } from '../limit-store.js';

/** What the store needs of an ioredis client (a `Redis` or a `Cluster`). */
export interface RedisScriptClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  script(subcommand: 'LOAD', script: string): Promise<unknown>;
}

export interface RedisLimitStoreOptions {
  /** Prefix of every key. Default `mcpkit:rl:`. */
  prefix?: string;
}

/**
 * All of a request's buckets in one script: refill each from the time that passed (Redis's own
 * clock, so every node agrees), take `cost` from all or none, and let each key expire once it
 * would be full again. KEYS: the buckets; ARGV: cost, then capacity and refill per ms per bucket.
 * Returns allowed (1/0), the wait in ms, the tokens left in the emptiest bucket, and the index
 * (1-based) of the bucket that asks for the longest wait.
 */
const SCRIPT = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local cost = tonumber(ARGV[1])
local levels = {}
local wait, limited = 0, 0
for i = 1, #KEYS do
  local capacity, refill = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', KEYS[i], 'k', 't')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - at) * refill)
  levels[i] = tokens
  if tokens < cost then
    local w = math.ceil((cost - tokens) / refill)
    if w > wait then wait, limited = w, i end
  end
end
local remaining = nil
for i = 1, #KEYS do
  local capacity, refill = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local left = levels[i]
  if limited == 0 then left = left - cost end
  redis.call('HSET', KEYS[i], 'k', string.format('%.6f', left), 't', now)
  redis.call('PEXPIRE', KEYS[i], math.ceil((capacity - left) / refill) + 1000)
  if remaining == nil or left < remaining then remaining = left end
end
return { limited == 0 and 1 or 0, wait, math.floor(remaining), limited }
`;

let scriptSha: string | undefined;

/**
 * Token buckets in Redis, shared by every process that uses the same Redis and prefix: one
 * round trip (EVALSHA) per decision, atomic, on Redis's clock. Every key expires once its bucket
 * would be full again, so idle callers hold nothing. Give it an ioredis client; when Redis is down
 * the call fails and `rateLimit`'s `onStoreFailure` decides.
 */
export class RedisLimitStore implements LimitStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisScriptClient,
    options: RedisLimitStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'mcpkit:rl:';
  }

  async consume(buckets: readonly Bucket[], cost: number): Promise<Decision> {
    const keys = buckets.map((b) => this.prefix + b.key);
    const args: (string | number)[] = [cost];
    for (const b of buckets) args.push(b.capacity, b.refillPerMs);
    const answer = (await this.run(keys, args)) as [number, number, number, number];
    const [allowed, wait, remaining, limited] = answer;
    return {
      allowed: allowed === 1,
      retryAfterMs: wait,
      remaining: Math.max(0, remaining),
      ...(limited > 0 ? { limitedBy: limited - 1 } : {}),
    };
  }

  private async run(keys: string[], args: (string | number)[]): Promise<unknown> {
    if (scriptSha) {
      try {
        return await this.redis.evalsha(scriptSha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      }
    }
    // First use, or Redis restarted and forgot the script: send it whole once, then by its hash.
    const answer = await this.redis.eval(SCRIPT, keys.length, ...keys, ...args);
    scriptSha = String(await this.redis.script('LOAD', SCRIPT));
    return answer;
  }
}
