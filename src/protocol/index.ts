export * from './errors.js';
export * from './http-status.js';
export * from './jsonrpc.js';
export * from './mcp-headers.js';
export * from './meta.js';
export * from './revisions.js';
export * from './schemas/index.js';
export * from './uri-template.js';
