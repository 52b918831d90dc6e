import type { JsonSchema } from './json-schema-validator.js';

/** The part of a zod 3 schema's definition read here (zod 3 has no JSON Schema of its own). */
interface Zod3Def {
  typeName?: string;
  description?: string;
  checks?: { kind: string; value?: unknown; inclusive?: boolean; regex?: RegExp }[];
  [key: string]: unknown;
}
export interface Zod3Schema {
  _def: Zod3Def;
}

export const isZod3 = (schema: unknown): schema is Zod3Schema =>
  typeof (schema as { _def?: { typeName?: unknown } })?._def?.typeName === 'string' &&
  !('_zod' in (schema as object));

const STRING_FORMATS: Record<string, string> = {
  email: 'email',
  url: 'uri',
  uuid: 'uuid',
  datetime: 'date-time',
  date: 'date',
  time: 'time',
  duration: 'duration',
  ip: 'ipv4',
};

/** JSON Schema's word for a zod 3 schema's top-level type, when it is not a wrapper. */
export function zod3DeclaredType(schema: Zod3Schema): string | undefined {
  const plain: Record<string, string> = {
    ZodObject: 'object',
    ZodString: 'string',
    ZodNumber: 'number',
    ZodBoolean: 'boolean',
    ZodArray: 'array',
    ZodTuple: 'tuple',
    ZodLiteral: 'literal',
    ZodEnum: 'enum',
    ZodNull: 'null',
  };
  return plain[schema._def.typeName ?? ''];
}

/**
 * JSON Schema 2020-12 for a zod 3 schema, from its definition: what a tool's input or output can
 * express (objects, arrays, unions, string and number checks, defaults, descriptions). What JSON
 * Schema cannot say (dates, transforms' results, recursion beyond the first level) becomes `{}`,
 * as zod 4 does with `unrepresentable: 'any'`; validation still uses the schema itself.
 */
export function zod3JsonSchema(schema: Zod3Schema, io: 'input' | 'output'): JsonSchema {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...convert(schema, io, new Set()) };
}

const isOptional = (schema: Zod3Schema, io: 'input' | 'output'): boolean => {
  const kind = schema._def.typeName;
  if (kind === 'ZodOptional') return true;
  if (kind === 'ZodDefault' || kind === 'ZodCatch') return io === 'input';
  return false;
};

function convert(schema: Zod3Schema, io: 'input' | 'output', lazy: Set<unknown>): JsonSchema {
  const out = shape(schema, io, lazy);
  return typeof schema._def.description === 'string' ? { ...out, description: schema._def.description } : out;
}

function shape(schema: Zod3Schema, io: 'input' | 'output', lazy: Set<unknown>): JsonSchema {
  const def = schema._def;
  const inner = (key: string) => convert(def[key] as Zod3Schema, io, lazy);
  switch (def.typeName) {
    case 'ZodString':
      return withChecks({ type: 'string' }, def.checks, { min: 'minLength', max: 'maxLength' });
    case 'ZodNumber':
      return withChecks({ type: 'number' }, def.checks, { min: 'minimum', max: 'maximum' });
    case 'ZodBoolean':
      return { type: 'boolean' };
    case 'ZodNull':
      return { type: 'null' };
    case 'ZodLiteral':
      return def.value === null ? { type: 'null' } : { const: def.value };
    case 'ZodEnum':
      return { type: 'string', enum: def.values as string[] };
    case 'ZodNativeEnum': {
      const values = Object.entries(def.values as Record<string, unknown>)
        .filter(([key]) => !/^\d+$/.test(key))
        .map(([, value]) => value);
      return { enum: values };
    }
    case 'ZodArray': {
      const out: JsonSchema = { type: 'array', items: inner('type') };
      const min = (def.exactLength ?? def.minLength) as { value: number } | null;
      const max = (def.exactLength ?? def.maxLength) as { value: number } | null;
      if (min) out.minItems = min.value;
      if (max) out.maxItems = max.value;
      return out;
    }
    case 'ZodSet':
      return { type: 'array', uniqueItems: true, items: inner('valueType') };
    case 'ZodTuple': {
      const items = (def.items as Zod3Schema[]).map((item) => convert(item, io, lazy));
      const rest = def.rest as Zod3Schema | null;
      return {
        type: 'array',
        prefixItems: items,
        minItems: items.length,
        ...(rest ? { items: convert(rest, io, lazy) } : { maxItems: items.length }),
      };
    }
    case 'ZodObject':
      return object(def, io, lazy);
    case 'ZodRecord':
      return { type: 'object', additionalProperties: inner('valueType') };
    case 'ZodUnion':
    case 'ZodDiscriminatedUnion': {
      const options = def.options as Zod3Schema[] | Map<unknown, Zod3Schema>;
      const list = Array.isArray(options) ? options : [...options.values()];
      return { anyOf: list.map((option) => convert(option, io, lazy)) };
    }
    case 'ZodIntersection':
      return { allOf: [inner('left'), inner('right')] };
    case 'ZodOptional':
      return inner('innerType');
    case 'ZodNullable':
      return { anyOf: [inner('innerType'), { type: 'null' }] };
    case 'ZodDefault':
      return { ...inner('innerType'), default: (def.defaultValue as () => unknown)() };
    case 'ZodCatch':
    case 'ZodReadonly':
      return inner('innerType');
    case 'ZodBranded':
      return inner('type');
    case 'ZodEffects':
      // A refinement keeps its schema's shape; a transform's result is unknown to JSON Schema.
      return io === 'input' || (def.effect as { type?: string })?.type === 'refinement'
        ? inner('schema')
        : {};
    case 'ZodPipeline':
      return inner(io === 'input' ? 'in' : 'out');
    case 'ZodLazy': {
      if (lazy.has(schema)) return {};
      lazy.add(schema);
      const resolved = convert((def.getter as () => Zod3Schema)(), io, lazy);
      lazy.delete(schema);
      return resolved;
    }
    default:
      // Any, unknown, dates, bigints, maps, functions...: nothing JSON Schema can hold.
      return {};
  }
}

function object(def: Zod3Def, io: 'input' | 'output', lazy: Set<unknown>): JsonSchema {
  const fields = (def.shape as () => Record<string, Zod3Schema>)();
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(fields)) {
    properties[key] = convert(field, io, lazy);
    if (!isOptional(field, io)) required.push(key);
  }
  const out: JsonSchema = { type: 'object', properties };
  if (required.length > 0) out.required = required;
  const catchall = def.catchall as Zod3Schema | undefined;
  if (catchall && catchall._def.typeName !== 'ZodNever')
    out.additionalProperties = convert(catchall, io, lazy);
  else if (def.unknownKeys === 'strict') out.additionalProperties = false;
  return out;
}

function withChecks(
  base: JsonSchema,
  checks: Zod3Def['checks'],
  words: { min: string; max: string },
): JsonSchema {
  const out = { ...base };
  for (const check of checks ?? []) {
    if (check.kind === 'int') out.type = 'integer';
    else if (check.kind === 'min')
      out[check.inclusive === false ? `exclusive${cap(words.min)}` : words.min] = check.value;
    else if (check.kind === 'max')
      out[check.inclusive === false ? `exclusive${cap(words.max)}` : words.max] = check.value;
    else if (check.kind === 'length') {
      out[words.min] = check.value;
      out[words.max] = check.value;
    } else if (check.kind === 'multipleOf') out.multipleOf = check.value;
    else if (check.kind === 'regex' && check.regex) out.pattern = check.regex.source;
    else if (STRING_FORMATS[check.kind]) out.format = STRING_FORMATS[check.kind];
  }
  return out;
}

const cap = (word: string) => word[0]?.toUpperCase() + word.slice(1);
