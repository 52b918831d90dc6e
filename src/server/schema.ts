import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { Ajv2020 } from 'ajv/dist/2020.js';

/** A raw JSON Schema object, taken as the server author wrote it. */
export type JsonSchema = Record<string, unknown>;

/** Tool input/output: any Standard Schema (zod 4, valibot, arktype...) or raw JSON Schema. */
export type SchemaInput = StandardSchemaV1 | JsonSchema;

export type Validation<T = unknown> = { value: T } | { issues: string };

/** A schema prepared once at registration: its JSON Schema for the wire and a validator. */
export interface CompiledSchema {
  jsonSchema: JsonSchema;
  validate(value: unknown): Validation | Promise<Validation>;
}

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
let ajv: Ajv2020 | undefined;

function isStandard(schema: SchemaInput): schema is StandardSchemaV1 {
  return typeof schema === 'object' && schema !== null && '~standard' in schema;
}

/**
 * Derives the JSON Schema (draft 2020-12) and the validator of a schema once. A Standard Schema
 * validates itself; its JSON Schema comes from `~standard.jsonSchema` (zod 4, arktype, valibot via
 * `toStandardJsonSchema`). Raw JSON Schema is compiled by ajv: these are the server's own, trusted
 * schemas.
 */
export function compileSchema(schema: SchemaInput, io: 'input' | 'output'): CompiledSchema {
  if (isStandard(schema)) {
    const converter = (schema['~standard'] as Partial<StandardJSONSchemaV1.Props>).jsonSchema;
    if (!converter) {
      throw new TypeError(
        `This ${schema['~standard'].vendor} schema cannot produce JSON Schema; wrap it (valibot: toStandardJsonSchema) or pass raw JSON Schema`,
      );
    }
    const jsonSchema = converter[io]({ target: 'draft-2020-12' }) as JsonSchema;
    return { jsonSchema, validate: (value) => standardValidate(schema, value) };
  }
  ajv ??= new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  const { $schema, ...rest } = schema;
  if ($schema !== undefined && $schema !== DIALECT) {
    throw new TypeError(`Unsupported JSON Schema dialect ${String($schema)}; mcpkit serves draft 2020-12`);
  }
  const check = ajv.compile(rest);
  return {
    jsonSchema: schema,
    validate: (value) =>
      check(value)
        ? { value }
        : {
            issues: ajv!.errorsText(check.errors, {
              dataVar: io === 'input' ? 'arguments' : 'structuredContent',
            }),
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
