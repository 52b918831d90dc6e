// mcpkit/nats: the cross-node bus on NATS, for nodes that share sessions (`@nats-io/transport-node`
// 3.x, an optional peer dependency: the bus takes a connection and names only publish/subscribe).
export { NatsBus, type NatsBusOptions, type NatsConnectionLike } from './nats-bus.js';
