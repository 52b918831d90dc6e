/**
 * `x-mcp-header` annotations (2026-07-28 transports/streamable-http, "Schema Extension"): a tool
 * parameter mirrored into an `Mcp-Param-{name}` HTTP header. Servers validate at registration;
 * clients validate every listed tool and drop the invalid ones.
 */
export interface HeaderAnnotation {
  /** The `{name}` in `Mcp-Param-{name}`. */
  name: string;
  /** The chain of `properties` keys from the schema root to the parameter. */
  path: string[];
  type: 'string' | 'integer' | 'boolean';
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Keywords whose subschemas are not statically reachable through `properties` alone. */
const NESTED_KEYWORDS = [
  'items',
  'prefixItems',
  'additionalItems',
  'contains',
  'unevaluatedItems',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  '$defs',
  'definitions',
  'additionalProperties',
  'patternProperties',
  'dependentSchemas',
  'unevaluatedProperties',
  'propertyNames',
];

/** Returns the annotations of a tool's input schema, or throws an Error that says which rule fails. */
export function headerAnnotations(inputSchema: Record<string, unknown>): HeaderAnnotation[] {
  const found: HeaderAnnotation[] = [];
  walk(inputSchema, [], true, found);
  const seen = new Set<string>();
  for (const a of found) {
    const key = a.name.toLowerCase();
    if (seen.has(key)) throw new Error(`x-mcp-header "${a.name}" is not case-insensitively unique`);
    seen.add(key);
  }
  return found;
}

function walk(schema: unknown, path: string[], reachable: boolean, found: HeaderAnnotation[]): void {
  if (typeof schema !== 'object' || schema === null) return;
  const s = schema as Record<string, unknown>;
  if ('x-mcp-header' in s) {
    const where = path.join('.') || '(root)';
    if (!reachable || path.length === 0)
      throw new Error(`x-mcp-header at ${where} is not reachable through properties only`);
    const name = s['x-mcp-header'];
    if (typeof name !== 'string' || name === '' || !TOKEN.test(name)) {
      throw new Error(`x-mcp-header at ${where} must be a non-empty HTTP token`);
    }
    if (s.type !== 'string' && s.type !== 'integer' && s.type !== 'boolean') {
      throw new Error(`x-mcp-header at ${where} must annotate a string, integer or boolean parameter`);
    }
    found.push({ name, path, type: s.type });
  }
  const props = s.properties;
  if (typeof props === 'object' && props !== null) {
    for (const [key, sub] of Object.entries(props)) walk(sub, [...path, key], reachable, found);
  }
  for (const keyword of [...NESTED_KEYWORDS, '$ref']) {
    const sub = s[keyword];
    if (Array.isArray(sub)) for (const item of sub) walk(item, path, false, found);
    else if (
      keyword === '$defs' ||
      keyword === 'definitions' ||
      keyword === 'patternProperties' ||
      keyword === 'dependentSchemas'
    ) {
      if (typeof sub === 'object' && sub !== null)
        for (const item of Object.values(sub)) walk(item, path, false, found);
    } else walk(sub, path, false, found);
  }
}

/** Header-safe values are visible ASCII and inner spaces/tabs; anything else travels Base64-wrapped. */
export function encodeHeaderValue(value: string): string {
  const safe = /^[\x21-\x7E]([\x20-\x7E\t]*[\x21-\x7E])?$/.test(value);
  if (safe && !value.startsWith('=?base64?')) return value;
  return `=?base64?${btoa(String.fromCharCode(...new TextEncoder().encode(value)))}?=`;
}

/**
 * Decodes a header value: the Base64 sentinel form strictly (canonical padding, Base64 alphabet,
 * valid UTF-8; anything else throws), any other value as the literal it is.
 */
export function decodeHeaderValue(value: string): string {
  if (!value.startsWith('=?base64?') || !value.endsWith('?=')) return value;
  const body = value.slice('=?base64?'.length, -2);
  if (body.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(body))
    throw new Error('Invalid Base64 in header value');
  return new TextDecoder('utf-8', { fatal: true }).decode(
    Uint8Array.from(atob(body), (c) => c.charCodeAt(0)),
  );
}

/** The body field an `Mcp-Name` header mirrors, by method (2026-07-28; tasks extension for tasks/*). */
export const MCP_NAME_FIELD: Readonly<Record<string, 'name' | 'uri' | 'taskId'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

/** The value at an annotation's `properties` path in call arguments (undefined when absent). */
export function valueAtPath(args: unknown, path: readonly string[]): unknown {
  let value = args;
  for (const key of path)
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}
