/**
 * The OpenTelemetry names mcpkit records: the MCP semantic conventions (semantic-conventions-genai,
 * docs/gen-ai/mcp.md) and mcpkit's own under `mcpkit.`. Kept here as constants: the npm constants
 * package marks the MCP ones deprecated.
 */
export const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
export const ATTR_MCP_PROTOCOL_VERSION = 'mcp.protocol.version';
export const ATTR_MCP_SESSION_ID = 'mcp.session.id';
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri';
export const ATTR_JSONRPC_REQUEST_ID = 'jsonrpc.request.id';
export const ATTR_RPC_RESPONSE_STATUS_CODE = 'rpc.response.status_code';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
export const ATTR_NETWORK_TRANSPORT = 'network.transport';
export const ATTR_NETWORK_PROTOCOL_NAME = 'network.protocol.name';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_CLIENT_ADDRESS = 'client.address';
export const ATTR_CLIENT_PORT = 'client.port';

/** mcpkit's own attributes. */
export const ATTR_MCPKIT_RESULT_TYPE = 'mcpkit.result_type';
export const ATTR_MCPKIT_TASK_ID = 'mcpkit.task.id';
export const ATTR_MCPKIT_TASK_STATUS = 'mcpkit.task.status';
export const ATTR_MCPKIT_MRTR_INPUTS = 'mcpkit.mrtr.inputs';
export const ATTR_MCPKIT_MRTR_RETRY = 'mcpkit.mrtr.retry';
export const ATTR_MCPKIT_ROLE = 'mcpkit.role';

export const METRIC_CLIENT_OPERATION_DURATION = 'mcp.client.operation.duration';
export const METRIC_SERVER_OPERATION_DURATION = 'mcp.server.operation.duration';
export const METRIC_CLIENT_SESSION_DURATION = 'mcp.client.session.duration';
export const METRIC_SERVER_SESSION_DURATION = 'mcp.server.session.duration';
export const METRIC_REQUESTS_IN_FLIGHT = 'mcpkit.server.requests.in_flight';
export const METRIC_SERVER_ERRORS = 'mcpkit.server.errors';
export const METRIC_SESSIONS_OPEN = 'mcpkit.sessions.open';
export const METRIC_MRTR_ROUNDS = 'mcpkit.mrtr.rounds';

/** The conventions' advice for every MCP duration histogram, in seconds. */
export const DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** `_OTHER` stands in for a name outside the known set, so that a caller cannot grow cardinality. */
export const OTHER = '_OTHER';

/** Every method of every revision: anything else is recorded as `_OTHER` on metrics and span names. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'server/discover',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'subscriptions/listen',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'sampling/createMessage',
  'elicitation/create',
  'roots/list',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'tasks/update',
]);
