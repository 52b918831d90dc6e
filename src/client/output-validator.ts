import { Validator } from '@cfworker/json-schema';
import type { Tool } from '../protocol/schemas/index.js';

/**
 * Validates `structuredContent` against the `outputSchema` a server declared. The schema is
 * untrusted input: it is interpreted (no code generation), `$ref` resolves only inside the schema
 * (nothing is fetched), and a schema that cannot be compiled disables validation for that tool
 * rather than failing every call.
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
        this.validators.set(tool.name, new Validator(tool.outputSchema as object, '2020-12', false));
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
