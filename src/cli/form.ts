import type { ElicitParams, ElicitResult } from '../protocol/schemas/index.js';

/** One question and its answer: a terminal prompt, or a scripted stand-in in tests. */
export type Ask = (question: string) => Promise<string>;

interface FieldSchema {
  type?: string;
  title?: string;
  description?: string;
  enum?: unknown[];
  oneOf?: { const: unknown; title?: string }[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
}

type Parsed = { value: unknown } | { problem: string };

/**
 * Answers an elicitation in a terminal: the server's message, then a first question (answer,
 * decline or cancel), then one prompt per field of the requested schema, re-asked until the
 * answer fits the field. An empty answer takes the field's default, or skips an optional field.
 */
export async function askForm(
  params: ElicitParams,
  ask: Ask,
  write: (text: string) => void,
): Promise<ElicitResult> {
  write(`\nThe server asks: ${params.message}\n`);
  if (params.mode === 'url') {
    write(`Open ${(params as { url: string }).url} in a browser to continue.\n`);
    const done = (await ask('Press Enter once done, or type n to decline, c to cancel: '))
      .trim()
      .toLowerCase();
    return { action: done === 'n' ? 'decline' : done === 'c' ? 'cancel' : 'accept' };
  }
  const choice = (await ask('Answer? [Y]es, [n]o (decline), [c]ancel: ')).trim().toLowerCase();
  if (choice === 'n' || choice === 'no') return { action: 'decline' };
  if (choice === 'c' || choice === 'cancel') return { action: 'cancel' };
  const schema = (
    params as { requestedSchema?: { properties?: Record<string, FieldSchema>; required?: string[] } }
  ).requestedSchema;
  const required = new Set(schema?.required ?? []);
  const content: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema?.properties ?? {})) {
    for (;;) {
      const text = (await ask(prompt(name, field, required.has(name)))).trim();
      if (text === '') {
        if (field.default !== undefined) content[name] = field.default;
        else if (required.has(name)) {
          write('  an answer is required\n');
          continue;
        }
        break;
      }
      const parsed = parse(text, field);
      if ('value' in parsed) {
        content[name] = parsed.value;
        break;
      }
      write(`  ${parsed.problem}\n`);
    }
  }
  return { action: 'accept', content: content as never };
}

function choices(field: FieldSchema): { value: unknown; label: string }[] | undefined {
  if (field.enum) return field.enum.map((value) => ({ value, label: String(value) }));
  if (field.oneOf) return field.oneOf.map((o) => ({ value: o.const, label: o.title ?? String(o.const) }));
  return undefined;
}

function prompt(name: string, field: FieldSchema, required: boolean): string {
  const label = field.title ?? name;
  const about = field.description ? ` (${field.description})` : '';
  const options = choices(field);
  const kind = options
    ? options.map((o, i) => `${i + 1}) ${o.label}`).join(', ')
    : field.type === 'boolean'
      ? 'y/n'
      : (field.type ?? 'string');
  const fallback =
    field.default !== undefined ? `, default ${String(field.default)}` : required ? '' : ', Enter to skip';
  return `${label}${about} [${kind}${fallback}]: `;
}

function parse(text: string, field: FieldSchema): Parsed {
  const options = choices(field);
  if (options) {
    const byNumber = options[Number(text) - 1];
    const match = byNumber ?? options.find((o) => o.label === text || String(o.value) === text);
    return match
      ? { value: match.value }
      : { problem: `choose one of: ${options.map((o) => o.label).join(', ')}` };
  }
  switch (field.type) {
    case 'boolean': {
      const word = text.toLowerCase();
      if (['y', 'yes', 'true'].includes(word)) return { value: true };
      if (['n', 'no', 'false'].includes(word)) return { value: false };
      return { problem: 'answer y or n' };
    }
    case 'number':
    case 'integer': {
      const value = Number(text);
      if (!Number.isFinite(value) || (field.type === 'integer' && !Number.isInteger(value)))
        return { problem: `answer ${field.type === 'integer' ? 'a whole number' : 'a number'}` };
      if (field.minimum !== undefined && value < field.minimum)
        return { problem: `at least ${field.minimum}` };
      if (field.maximum !== undefined && value > field.maximum)
        return { problem: `at most ${field.maximum}` };
      return { value };
    }
    default:
      if (field.minLength !== undefined && text.length < field.minLength)
        return { problem: `at least ${field.minLength} characters` };
      if (field.maxLength !== undefined && text.length > field.maxLength)
        return { problem: `at most ${field.maxLength} characters` };
      return { value: text };
  }
}
