export { Aggregator, type AggregatorEvents, type AggregatorOptions } from './aggregator.js';
export {
  type CallOptions,
  Client,
  type ClientOptions,
  type Page,
  type ReadResourceResult,
} from './client.js';
export { ClientError, type ClientErrorKind } from './errors.js';
export type { ClientEvents } from './events.js';
export { fillDefaults, type InputContext, type InputHandlers } from './input-handlers.js';
export { ClientPool, type ClientPoolOptions, type PoolEvents } from './pool.js';
export type { CircuitBreakerOptions, CircuitState, RetryPolicy } from './resilience.js';
export type { Subscription, SubscriptionRequest } from './subscriptions.js';
