import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { settled } from '../engine/settled.js';
import { interpretJsonSchema, type JsonSchema, type JsonSchemaValidator } from './json-schema-validator.js';
import { olderZodJsonSchema, zodDeclaredType } from './zod-json-schema.js';

export type { JsonSchema, JsonSchemaValidator };

/** Tool input/output: any Standard Schema (zod 3.25+ and 4, valibot, arktype...) or raw JSON Schema. */
export type SchemaInput = StandardSchemaV1 | JsonSchema;

export type Validation<T = unknown> = { value: T } | { issues: string };

/** A schema prepared at registration: its JSON Schema for the wire and a validator, both made on first use. */
export interface CompiledSchema {
  /** Derived from a Standard Schema on first read, so that a big registry starts fast. */
  readonly jsonSchema: JsonSchema;
  /** True when `jsonSchema` is derived (a Standard Schema), false when it is the author's own. */
  readonly derived: boolean;
  /** A Standard Schema's top-level type where the vendor tells it without conversion (zod, not wrappers). */
  readonly declaredType?: string;
  validate(value: unknown): Validation | Promise<Validation>;
}

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

function isStandard(schema: SchemaInput): schema is StandardSchemaV1 {
  return typeof schema === 'object' && schema !== null && '~standard' in schema;
}

/**
 * Prepares a schema. A Standard Schema validates itself; its JSON Schema comes from
 * `~standard.jsonSchema` (zod 4.2+, arktype, valibot via `toStandardJsonSchema`) or, for older zod,
 * from its definition, converted once, when first listed. Raw JSON Schema is checked by
 * `validator`, built on the first call.
 */
export function compileSchema(
  schema: SchemaInput,
  io: 'input' | 'output',
  validator: JsonSchemaValidator = interpretJsonSchema,
): CompiledSchema {
  if (isStandard(schema)) {
    const standard = (schema['~standard'] as Partial<StandardJSONSchemaV1.Props>).jsonSchema;
    const convert = standard
      ? (direction: 'input' | 'output') => standard[direction]({ target: 'draft-2020-12' }) as JsonSchema
      : olderZodJsonSchema(schema);
    if (!convert) {
      throw new TypeError(
        `This ${schema['~standard'].vendor} schema cannot produce JSON Schema: pass one that implements Standard JSON Schema (zod, arktype, or valibot wrapped by toStandardJsonSchema from @valibot/to-json-schema) or raw JSON Schema`,
      );
    }
    let jsonSchema: JsonSchema | undefined;
    const declaredType = zodDeclaredType(schema);
    return {
      derived: true,
      ...(declaredType !== undefined ? { declaredType } : {}),
      get jsonSchema() {
        jsonSchema ??= convert(io);
        return jsonSchema;
      },
      validate: (value) => standardValidate(schema, value),
    };
  }
  const { $schema, ...rest } = schema;
  if ($schema !== undefined && $schema !== DIALECT) {
    throw new TypeError(`Unsupported JSON Schema dialect ${String($schema)}; mcpkit serves draft 2020-12`);
  }
  let check: ReturnType<JsonSchemaValidator> | undefined;
  const outcome = (value: unknown, verdict: true | string): Validation =>
    verdict === true ? { value } : { issues: verdict };
  return {
    derived: false,
    jsonSchema: schema,
    validate: (value) => {
      check ??= validator(rest, io);
      const verdict = settled(check(value));
      return verdict instanceof Promise
        ? verdict.then((settled) => outcome(value, settled))
        : outcome(value, verdict);
    },
  };
}

async function standardValidate(schema: StandardSchemaV1, value: unknown): Promise<Validation> {
  const result = await schema['~standard'].validate(value);
  if (!result.issues) return { value: result.value };
  return {
    issues: result.issues
      .map((i) => {
        const path = i.path?.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.');
        return path ? `${path}: ${i.message}` : i.message;
      })
      .join('; '),
  };
}
