import { compose } from '../engine/compose.js';
import type { Telemetry } from '../engine/telemetry.js';
import type { ServerMiddleware } from '../server/index.js';
import { type RateLimitOptions, rateLimit } from './rate-limit.js';
import { type ReliabilityOptions, reliability } from './reliability.js';

export interface ChainOptions {
  limits?: RateLimitOptions;
  reliability?: ReliabilityOptions;
  /** Innermost: sees what reached the handler (your own middleware). */
  observability?: ServerMiddleware;
  /** The server's telemetry: rate-limit decisions are counted in it. */
  telemetry?: Telemetry;
}

/**
 * The production chain in its one order: authentication (the transport's `auth`, always first),
 * then rate limits, then the reliability layer, then observability, then the handler. Each layer
 * is optional; `server.use(chain({...}))` cannot put them out of order.
 */
export function chain(options: ChainOptions): ServerMiddleware {
  const layers: ServerMiddleware[] = [];
  if (options.limits)
    layers.push(
      rateLimit(
        options.telemetry && !options.limits.telemetry
          ? { ...options.limits, telemetry: options.telemetry }
          : options.limits,
      ),
    );
  if (options.reliability) layers.push(reliability(options.reliability));
  if (options.observability) layers.push(options.observability);
  return (ctx, next) => compose(layers, () => next())(ctx);
}
