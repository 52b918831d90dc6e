import { Validator } from '@cfworker/json-schema';
import { isRecord } from '../protocol/is-record.js';
import type { Tool } from '../protocol/schemas/index.js';

/**
 * Validates `structuredContent` against the `outputSchema` a server declared. The schema is
 * untrusted input: it is interpreted (no code generation), `$ref` resolves only inside the schema
 * (nothing is fetched), and a schema that cannot be compiled disables validation for that tool
 * rather than failing every call. Its regular expressions are not run: a crafted `pattern` (say
 * `^(a+)+$` against 40 a's and a !) backtracks for hours on the client's only thread, so `pattern`
 * is not checked and a schema with `patternProperties` is not validated.
 */
export class OutputValidator {
  private readonly validators = new Map<string, Validator | null>();

  remember(tools: readonly Tool[]): void {
    for (const tool of tools) {
      if (!tool.outputSchema) {
        this.validators.delete(tool.name);
        continue;
      }
      try {
        const schema = withoutRegexes(tool.outputSchema) as object;
        this.validators.set(tool.name, new Validator(schema, '2020-12', false));
      } catch {
        this.validators.set(tool.name, null);
      }
    }
  }

  /** Undefined when valid or unknown; otherwise what is wrong. */
  check(toolName: string, structuredContent: unknown): string | undefined {
    const validator = this.validators.get(toolName);
    if (!validator) return undefined;
    if (structuredContent === undefined)
      return 'the tool declares an outputSchema but returned no structuredContent';
    let result: ReturnType<Validator['validate']>;
    try {
      result = validator.validate(structuredContent);
    } catch {
      // An unresolvable $ref (remote, or missing) only shows when validating: stop validating this tool.
      this.validators.set(toolName, null);
      return undefined;
    }
    if (result.valid) return undefined;
    return result.errors
      .slice(0, 5)
      .map((e) => `${e.instanceLocation}: ${e.error}`)
      .join('; ');
  }
}

/** Keywords whose value maps names to subschemas. */
const SCHEMA_MAPS = new Set(['properties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is a subschema or an array of them. */
const SUBSCHEMAS = new Set([
  'items',
  'prefixItems',
  'additionalItems',
  'contains',
  'additionalProperties',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
]);

/**
 * The schema with its `pattern` keywords left out. Throws when it uses `patternProperties` (which
 * cannot be left out without changing what `additionalProperties` admits): like a schema that does
 * not compile, the tool then goes unchecked. Walks keywords only: a property named "pattern", or a
 * `const` holding one, is kept.
 */
function withoutRegexes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutRegexes);
  if (!isRecord(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'patternProperties') throw new Error('patternProperties is not checked');
    if (key === 'pattern' && typeof value === 'string') continue;
    if (SUBSCHEMAS.has(key)) out[key] = withoutRegexes(value);
    // An array here is walked too (by index): a validator may read it as a map all the same.
    else if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null) {
      const map: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(value)) map[name] = withoutRegexes(sub);
      out[key] = map;
    } else out[key] = value;
  }
  return out;
}
