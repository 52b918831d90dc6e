import { ErrorCode, type JsonRpcErrorObject } from './errors.js';
import { isRecord } from './is-record.js';

export type RequestId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcResultResponse {
  jsonrpc: '2.0';
  id: RequestId;
  result: Record<string, unknown>;
}

export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  id: RequestId | null;
  error: JsonRpcErrorObject;
}

export type JsonRpcResponse = JsonRpcResultResponse | JsonRpcErrorResponse;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export const isRequest = (m: JsonRpcMessage): m is JsonRpcRequest => 'method' in m && 'id' in m;
export const isNotification = (m: JsonRpcMessage): m is JsonRpcNotification => 'method' in m && !('id' in m);
export const isResponse = (m: JsonRpcMessage): m is JsonRpcResponse => !('method' in m);
export const isErrorResponse = (m: JsonRpcMessage): m is JsonRpcErrorResponse =>
  'error' in m && !('method' in m);

export function errorResponse(id: RequestId | null, error: JsonRpcErrorObject): JsonRpcErrorResponse {
  return { jsonrpc: '2.0', id, error };
}

export interface DecodeLimits {
  /** Largest accepted message in UTF-16 code units (about bytes for JSON). */
  maxMessageLength: number;
  /** Deepest accepted nesting of arrays and objects. */
  maxDepth: number;
  /** Most messages accepted in one batch. */
  maxBatchSize: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  // No smaller than the official SDKs' stdio limit (10 MiB).
  maxMessageLength: 10 * 1024 * 1024,
  maxDepth: 64,
  maxBatchSize: 100,
};

/** One decoded frame: a message, a batch, or an error to answer with (the frame is otherwise dropped). */
export type Decoded =
  | { kind: 'message'; message: JsonRpcMessage }
  | { kind: 'batch'; items: Checked[] }
  | { kind: 'invalid'; error: JsonRpcErrorResponse };

/**
 * Parses one frame of JSON-RPC text. Never throws: a bad frame becomes the error response the
 * peer should receive. Hostile nesting never reaches a validator, the tracer or a logger (V8's
 * JSON.stringify overflows at depth ~5,000): a large frame's depth is scanned before it is parsed
 * (V8 parses deep nesting slowly: 10 MB of brackets took 2.7 s here), a small one's is walked after
 * parsing, which costs a tenth of scanning its characters.
 */
export function decode(text: string, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Decoded {
  // Refused unparsed; the id, when it can be read from the frame's start, lets the client match it.
  if (text.length > limits.maxMessageLength) {
    return invalid(
      peekId(text),
      ErrorCode.InvalidRequest,
      `Message exceeds ${limits.maxMessageLength} characters (maxMessageLength)`,
    );
  }
  const large = text.length > SCAN_BEFORE_PARSE;
  if (large && textExceedsDepth(text, limits.maxDepth)) return tooDeep(text, limits.maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid(null, ErrorCode.ParseError, 'Parse error');
  }
  if (!large && exceedsDepth(value, limits.maxDepth)) return tooDeep(text, limits.maxDepth);
  if (text.includes('"__proto__"') && hasProtoKey(value)) {
    return invalid(null, ErrorCode.InvalidRequest, 'The key "__proto__" is not allowed');
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return invalid(null, ErrorCode.InvalidRequest, 'Empty batch');
    if (value.length > limits.maxBatchSize) {
      return invalid(
        null,
        ErrorCode.InvalidRequest,
        `Batch exceeds ${limits.maxBatchSize} messages (maxBatchSize)`,
      );
    }
    return { kind: 'batch', items: value.map((item) => validateEnvelope(item)) };
  }
  const checked = validateEnvelope(value);
  return 'message' in checked
    ? { kind: 'message', message: checked.message }
    : { kind: 'invalid', error: checked.invalid };
}

/** The valid messages of a decoded frame: the message, a batch's valid items, or none. */
/** The ids of the requests among `messages` (not of their notifications or answers). */
export function requestIdsOf(messages: readonly JsonRpcMessage[]): RequestId[] {
  const ids: RequestId[] = [];
  for (const m of messages) if (isRequest(m)) ids.push(m.id);
  return ids;
}

export function messagesOf(decoded: Decoded): JsonRpcMessage[] {
  if (decoded.kind === 'message') return [decoded.message];
  if (decoded.kind === 'batch') return decoded.items.flatMap((i) => ('message' in i ? [i.message] : []));
  return [];
}

/** A checked envelope: the message, or the error response owed for it. */
export type Checked = { message: JsonRpcMessage } | { invalid: JsonRpcErrorResponse };

/** Frames longer than this have their depth scanned before parsing; shorter ones after. */
const SCAN_BEFORE_PARSE = 4096;

function tooDeep(text: string, maxDepth: number): Decoded {
  return invalid(peekId(text), ErrorCode.InvalidRequest, `JSON nesting exceeds depth ${maxDepth} (maxDepth)`);
}

function invalid(id: RequestId | null, code: number, message: string): Decoded {
  return { kind: 'invalid', error: errorResponse(id, { code, message }) };
}

const isId = (v: unknown): v is RequestId =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
const isParams = (v: unknown) => v === undefined || isRecord(v);

function isWellFormedErrorResponse(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const e = o.error as Record<string, unknown> | undefined;
  return (
    o.jsonrpc === '2.0' &&
    !('method' in o) &&
    typeof e === 'object' &&
    e !== null &&
    typeof e.code === 'number' &&
    typeof e.message === 'string'
  );
}

const rejected = (id: RequestId | null, message: string): Checked => ({
  invalid: errorResponse(id, { code: ErrorCode.InvalidRequest, message: `Invalid Request: ${message}` }),
});

/** Checks the JSON-RPC 2.0 envelope of one parsed value. */
export function validateEnvelope(value: unknown): Checked {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return rejected(null, 'not an object');
  const o = value as Record<string, unknown>;
  const id = isId(o.id) ? o.id : null;
  if (o.jsonrpc !== '2.0') return rejected(id, 'jsonrpc must be "2.0"');
  if ('method' in o) {
    if (typeof o.method !== 'string') return rejected(id, 'method must be a string');
    // MCP: a request id MUST NOT be null, and a null id does not make a notification either.
    if ('id' in o && !isId(o.id)) return rejected(null, 'id must be a string or number');
    if (!isParams(o.params)) return rejected(id, 'params must be an object');
    return { message: value as JsonRpcRequest | JsonRpcNotification };
  }
  if ('result' in o && isId(o.id) && typeof o.result === 'object' && o.result !== null) {
    return { message: value as JsonRpcResultResponse };
  }
  if (isWellFormedErrorResponse(o) && (o.id === null || o.id === undefined || isId(o.id))) {
    return { message: { ...(value as JsonRpcErrorResponse), id: (o.id as RequestId | undefined) ?? null } };
  }
  return rejected(id, 'not a request, notification or response');
}

/**
 * The request id of a frame too big or too deep to parse, read from its first `window` characters:
 * only an `"id"` key of the top-level object counts, with a string or integer value.
 */
export function peekId(text: string, window = 4096): RequestId | null {
  const end = Math.min(text.length, window);
  let depth = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
    else if (c === 34) {
      const close = stringEnd(text, i, end);
      if (close < 0) return null;
      if (depth === 1 && close === i + 3 && text.startsWith('"id"', i))
        return idValueAt(text, close + 1, end);
      i = close;
    }
  }
  return null;
}

/** The string or integer after `"id"` and its colon, or null. */
function idValueAt(text: string, from: number, end: number): RequestId | null {
  const rest = text.slice(from, end);
  const match = /^\s*:\s*(?:("(?:[^"\\]|\\.){0,256}")|(-?\d{1,15}))\s*[,}]/.exec(rest);
  if (!match) return null;
  if (match[2] !== undefined) return Number(match[2]);
  try {
    return JSON.parse(match[1]!) as string;
  } catch {
    return null;
  }
}

/** Index of the quote closing the string that opens at `start`, or -1 before `end`. */
function stringEnd(text: string, start: number, end: number): number {
  for (let k = start + 1; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 92) k++;
    else if (c === 34) return k;
  }
  return -1;
}

/** Linear scan of bracket depth, skipping string contents. */
function textExceedsDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** The same bound on a parsed value, walked iteratively (no recursion to overflow). */
function exceedsDepth(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: object[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function hasProtoKey(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (!Array.isArray(v) && Object.hasOwn(v, '__proto__')) return true;
    for (const child of Object.values(v)) stack.push(child);
  }
  return false;
}

/** Serializes one message or a batch; the stdio framing adds the newline. */
export function encode(message: JsonRpcMessage | JsonRpcMessage[]): string {
  return JSON.stringify(message);
}

/**
 * A response's frame, never a throw: a result JSON cannot carry (a BigInt, a cycle) is answered
 * with an internal error for the same id, so the request still gets its answer.
 */
export function encodeResponse(response: JsonRpcResponse): string {
  try {
    return JSON.stringify(response);
  } catch {
    return JSON.stringify(
      errorResponse(response.id, {
        code: ErrorCode.InternalError,
        message: 'Internal error: the result cannot be encoded as JSON',
      }),
    );
  }
}
