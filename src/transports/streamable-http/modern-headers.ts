import { ErrorCode, McpError } from '../../protocol/errors.js';
import { isRecord } from '../../protocol/is-record.js';
import { decodeHeaderValue, MCP_NAME_FIELD, valueAtPath } from '../../protocol/mcp-headers.js';
import { META } from '../../protocol/meta.js';
import type { ModernRevision } from '../../protocol/revisions.js';
import type { ServerRuntime } from '../../server/core.js';
import { unsupportedVersion } from '../../server/dispatch.js';
import type { HeaderSource } from './http-core.js';
import { BadRequest, HttpError } from './http-error.js';

/** A modern-code refusal, its status from the one table. */
const mismatch = (message: string) =>
  HttpError.fromMcp(new McpError(ErrorCode.HeaderMismatch, `Header mismatch: ${message}`));

/**
 * 2026-07-28 Streamable HTTP "Server Validation": the per-request metadata must be there, and
 * MCP-Protocol-Version, Mcp-Method, Mcp-Name and every Mcp-Param-* must agree with the body
 * (Base64 sentinel values decoded, integers compared as numbers). Throws the HttpError to answer.
 */
export function checkModernHeaders(
  server: ServerRuntime,
  request: { headers: HeaderSource },
  message: { method: string; params?: Record<string, any> },
  version: unknown,
): void {
  // Missing per-request metadata is invalid params, answered with 400 (2026-07-28 versioning).
  const meta = message.params?._meta;
  if (typeof version !== 'string') {
    throw new BadRequest(
      `Invalid params: _meta["${META.protocolVersion}"] is required`,
      ErrorCode.InvalidParams,
    );
  }
  const capabilities = meta?.[META.clientCapabilities];
  if (!isRecord(capabilities)) {
    throw new BadRequest(
      `Invalid params: _meta["${META.clientCapabilities}"] is required`,
      ErrorCode.InvalidParams,
    );
  }
  const headerVersion = request.headers.get('mcp-protocol-version');
  if (headerVersion === null) throw mismatch('the MCP-Protocol-Version header is missing');
  if (headerVersion !== version)
    throw mismatch(`MCP-Protocol-Version ${headerVersion} does not match _meta version ${version}`);
  if (!server.modernRevisions.includes(version as ModernRevision)) {
    throw HttpError.fromMcp(unsupportedVersion(server, version));
  }
  const headerMethod = request.headers.get('mcp-method');
  if (headerMethod === null) throw mismatch('the Mcp-Method header is missing');
  if (headerMethod !== message.method)
    throw mismatch(`Mcp-Method ${headerMethod} does not match method ${message.method}`);
  const nameField = MCP_NAME_FIELD[message.method];
  if (!nameField) return;
  const bodyName = message.params?.[nameField];
  const headerName = request.headers.get('mcp-name');
  if (headerName === null) throw mismatch('the Mcp-Name header is missing');
  let decodedName: string;
  try {
    decodedName = decodeHeaderValue(headerName);
  } catch {
    throw mismatch('Mcp-Name is not valid Base64 UTF-8');
  }
  if (decodedName !== bodyName)
    throw mismatch(`Mcp-Name ${headerName} does not match ${nameField} ${String(bodyName)}`);
  if (message.method !== 'tools/call') return;
  for (const annotation of server.tools.get(String(bodyName))?.headers ?? []) {
    const value = valueAtPath(message.params?.arguments, annotation.path);
    const header = request.headers.get(`mcp-param-${annotation.name}`);
    if (value === undefined || value === null) {
      if (header !== null) throw mismatch(`Mcp-Param-${annotation.name} is sent but the argument is absent`);
      continue;
    }
    if (header === null) throw mismatch(`the Mcp-Param-${annotation.name} header is missing`);
    let decodedValue: string;
    try {
      decodedValue = decodeHeaderValue(header);
    } catch {
      throw mismatch(`Mcp-Param-${annotation.name} is not valid Base64 UTF-8`);
    }
    const same =
      annotation.type === 'integer' ? Number(decodedValue) === value : decodedValue === String(value);
    if (!same) throw mismatch(`Mcp-Param-${annotation.name} does not match the argument`);
  }
}
