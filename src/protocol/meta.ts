/** `_meta` keys defined by the modern era (2026-07-28 basic/index, "_meta"). */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
  /** Reserved for W3C trace context (SEP-414). */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  baggage: 'baggage',
} as const;

export const PROGRESS_TOKEN = 'progressToken';

/** Extension identifiers (capabilities.extensions keys). */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
