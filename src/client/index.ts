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
export type { Subscription, SubscriptionRequest } from './subscriptions.js';
