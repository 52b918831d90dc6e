import type { OutputUnit, Validator } from '@cfworker/json-schema';
import { quickCheck } from './json-schema-fast.js';

/** A raw JSON Schema object, taken as the server author wrote it. */
export type JsonSchema = Record<string, unknown>;

/**
 * Validates raw JSON Schema (draft 2020-12): given a schema, returns a check that answers true
 * or what is wrong (or a promise of that, while a validator loads). The default interprets the
 * schema, so it runs where code generation is refused (Workers,
 * `--disallow-code-generation-from-strings`); pass a compiling validator (ajv) in
 * `McpServerOptions.jsonSchemaValidator` where that is allowed and speed matters more.
 */
export type JsonSchemaValidator = (
  schema: JsonSchema,
  io: 'input' | 'output',
) => (value: unknown) => true | string | Promise<true | string>;

type Interpreter = typeof import('@cfworker/json-schema');
let interpreter: Interpreter | undefined;
let loading: Promise<Interpreter> | undefined;

/**
 * @cfworker/json-schema, loaded the first time a value fails the quick check (or a schema is too
 * rich for it): a server whose calls all pass the quick check never loads it, and none pays for
 * it at start-up.
 */
function loadInterpreter(): Interpreter | Promise<Interpreter> {
  if (interpreter) return interpreter;
  loading ??= import('@cfworker/json-schema').then((module) => {
    interpreter = module;
    return module;
  });
  return loading;
}

/**
 * The default raw JSON Schema validator: @cfworker/json-schema interprets draft 2020-12 with no
 * code generation, so a server registers and validates on hosts that refuse `eval` (Workers) and
 * starts without compiling anything.
 */
export const interpretJsonSchema: JsonSchemaValidator = (schema, io) => {
  // Most tool schemas are simple: a quick check accepts the valid calls, and the interpreter looks
  // only at the rest (and says what is wrong with them).
  const quick = quickCheck(schema);
  // A schema the quick check cannot read needs the interpreter at its first call: load it now.
  if (!quick) void Promise.resolve(loadInterpreter()).catch(() => {});
  let validator: Validator | undefined;
  const root = io === 'input' ? 'arguments' : 'structuredContent';
  const check = (found: Interpreter, value: unknown): true | string => {
    validator ??= new found.Validator(schema as object, '2020-12', false);
    const result = validator.validate(value);
    return result.valid ? true : describe(result.errors, root);
  };
  return (value) => {
    if (quick?.(value)) return true;
    const found = loadInterpreter();
    return found instanceof Promise ? found.then((module) => check(module, value)) : check(found, value);
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
