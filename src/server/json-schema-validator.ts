import { type OutputUnit, Validator } from '@cfworker/json-schema';

/** A raw JSON Schema object, taken as the server author wrote it. */
export type JsonSchema = Record<string, unknown>;

/**
 * Validates raw JSON Schema (draft 2020-12): given a schema, returns a check that answers true
 * or what is wrong. The default interprets the schema, so it runs where code generation is
 * refused (Workers, `--disallow-code-generation-from-strings`); pass a compiling validator (ajv)
 * in `McpServerOptions.jsonSchemaValidator` where that is allowed and speed matters more.
 */
export type JsonSchemaValidator = (
  schema: JsonSchema,
  io: 'input' | 'output',
) => (value: unknown) => true | string;

/**
 * The default raw JSON Schema validator: @cfworker/json-schema interprets draft 2020-12 with no
 * code generation, so a server registers and validates on hosts that refuse `eval` (Workers) and
 * starts without compiling anything.
 */
export const interpretJsonSchema: JsonSchemaValidator = (schema, io) => {
  const validator = new Validator(schema as object, '2020-12', false);
  const root = io === 'input' ? 'arguments' : 'structuredContent';
  return (value) => {
    const result = validator.validate(value);
    return result.valid ? true : describe(result.errors, root);
  };
};

/** The failures themselves, not the "property does not match" wrappers around them; five at most. */
function describe(errors: OutputUnit[], root: string): string {
  const leaves = errors.filter(
    (e) => !errors.some((other) => other !== e && other.keywordLocation.startsWith(`${e.keywordLocation}/`)),
  );
  return leaves
    .slice(0, 5)
    .map((e) => `${root}${e.instanceLocation.slice(1).replaceAll('/', '.')}: ${e.error}`)
    .join('; ');
}
