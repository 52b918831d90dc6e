import { toJSONSchema } from 'zod/v4/core';
import type { JsonSchema } from './json-schema-validator.js';
import { isZod3, zod3DeclaredType, zod3JsonSchema } from './zod3-json-schema.js';

/**
 * JSON Schema for zod schemas older than Standard JSON Schema (zod 4.2): zod 4.0 and 4.1 and the
 * `zod/v4` of zod 3.25 (`_zod` schemas, converted by the zod 4 converter mcpkit carries, which reads
 * their definitions), and zod 3 (converted from its definition). An app keeps its own zod version;
 * none of these needs the app's zod to be loaded here.
 */
export function olderZodJsonSchema(schema: unknown): ((io: 'input' | 'output') => JsonSchema) | undefined {
  if (isZod4(schema)) {
    return (io) =>
      toJSONSchema(schema as never, {
        target: 'draft-2020-12',
        io,
        unrepresentable: 'any',
        override: ({ zodSchema, jsonSchema }) => copyOwnMetadata(zodSchema, jsonSchema),
      }) as JsonSchema;
  }
  if (isZod3(schema)) return (io) => zod3JsonSchema(schema, io);
  return undefined;
}

/** A zod schema's top-level type where it names one (not a wrapper such as a pipe or a default). */
export function zodDeclaredType(schema: unknown): string | undefined {
  if (isZod4(schema)) {
    const type = schema._zod.def.type;
    return typeof type === 'string' && PLAIN_TYPES.has(type) ? type : undefined;
  }
  return isZod3(schema) ? zod3DeclaredType(schema) : undefined;
}

const PLAIN_TYPES = new Set([
  'object',
  'string',
  'number',
  'boolean',
  'array',
  'tuple',
  'literal',
  'enum',
  'null',
]);

const isZod4 = (schema: unknown): schema is { _zod: { def: { type?: unknown } } } =>
  typeof (schema as { _zod?: { def?: unknown } })?._zod?.def === 'object';

/**
 * Before zod 4.1, each copy of zod kept `.describe()` and `.meta()` in its own registry, which the
 * converter here cannot see; the schema itself still answers `.meta()` from its own.
 */
function copyOwnMetadata(zodSchema: unknown, jsonSchema: Record<string, unknown>): void {
  const meta = (zodSchema as { meta?: () => unknown }).meta;
  const own =
    typeof meta === 'function' ? (meta.call(zodSchema) as Record<string, unknown> | undefined) : undefined;
  if (!own || typeof own !== 'object') return;
  for (const key of ['title', 'description', 'examples', 'deprecated'] as const) {
    if (own[key] !== undefined && jsonSchema[key] === undefined) jsonSchema[key] = own[key];
  }
}
