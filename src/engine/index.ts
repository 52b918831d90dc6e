export type { Bus } from './bus.js';
export {
  compose,
  type Middleware,
} from './compose.js';
export { type OperatorLogger, silentLogger, withFields } from './operator-log.js';
export {
  type BatchPolicy,
  CancelledError,
  type IncomingRequest,
  Peer,
  type PeerHandlers,
  type PeerOptions,
  type Progress,
  type RequestOptions,
} from './peer.js';
export { type Principal, principalKey } from './principal.js';
export type {
  NetworkInfo,
  Operation,
  Outcome,
  SentOperation,
  ServedOperation,
  SessionSpan,
  Telemetry,
  TelemetryCounter,
  TelemetryGauge,
} from './telemetry.js';
export type {
  SendOptions,
  Transport,
  TransportSink,
} from './transport.js';
