import { isRecord } from '../protocol/is-record.js';
/**
 * A quick yes/no for the JSON Schemas tools usually have (object, properties, required, primitive
 * types, enums, bounds): a tree of small closures built once, no code generation. It only ever
 * says "valid" or "look closer"; the full interpreter decides, and explains, every "look closer".
 * A schema using anything outside this subset gets no quick check at all.
 */
export type QuickCheck = (value: unknown) => boolean;

/** Keywords that only annotate: they never make a value invalid. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'examples',
  '$comment',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

const TYPES: Record<string, QuickCheck> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
  array: (v) => Array.isArray(v),
  object: isRecord,
};

const isObject = TYPES.object!;
const isPrimitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** JSON Schema counts a string's length in code points. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** The quick check of `schema`, or undefined when it uses a keyword outside the subset. */
export function quickCheck(schema: unknown): QuickCheck | undefined {
  if (schema === true) return () => true;
  if (schema === false) return () => false;
  if (!isObject(schema)) return undefined;
  const s = schema as Record<string, unknown>;
  const checks: QuickCheck[] = [];
  for (const [key, rule] of Object.entries(s)) {
    if (ANNOTATIONS.has(key) || key.startsWith('x-')) continue;
    const check = keyword(key, rule, s);
    if (check === undefined) return undefined;
    if (check !== null) checks.push(check);
  }
  if (checks.length === 0) return () => true;
  if (checks.length === 1) return checks[0];
  return (v) => {
    for (const check of checks) if (!check(v)) return false;
    return true;
  };
}

/** One keyword's check; null when it adds nothing on its own, undefined when unsupported. */
function keyword(key: string, rule: unknown, schema: Record<string, unknown>): QuickCheck | null | undefined {
  switch (key) {
    case 'type': {
      const names = Array.isArray(rule) ? rule : [rule];
      const tests = names.map((n) => (typeof n === 'string' ? TYPES[n] : undefined));
      if (tests.length === 0 || tests.some((t) => t === undefined)) return undefined;
      const [only] = tests as QuickCheck[];
      return tests.length === 1 ? only! : (v) => (tests as QuickCheck[]).some((t) => t(v));
    }
    case 'properties': {
      if (!isObject(rule)) return undefined;
      const entries: [string, QuickCheck][] = [];
      for (const [name, sub] of Object.entries(rule as Record<string, unknown>)) {
        const check = quickCheck(sub);
        if (!check) return undefined;
        entries.push([name, check]);
      }
      return (v) => {
        if (!isObject(v)) return true;
        const o = v as Record<string, unknown>;
        for (const [name, check] of entries) if (Object.hasOwn(o, name) && !check(o[name])) return false;
        return true;
      };
    }
    case 'required': {
      if (!Array.isArray(rule) || !rule.every((r) => typeof r === 'string')) return undefined;
      return (v) => !isObject(v) || rule.every((name) => Object.hasOwn(v as object, name));
    }
    case 'additionalProperties': {
      const extra = quickCheck(rule);
      if (!extra) return undefined;
      const known = isObject(schema.properties)
        ? new Set(Object.keys(schema.properties as object))
        : new Set();
      return (v) => {
        if (!isObject(v)) return true;
        for (const [name, value] of Object.entries(v as object))
          if (!known.has(name) && !extra(value)) return false;
        return true;
      };
    }
    case 'items': {
      const item = quickCheck(rule);
      if (!item) return undefined;
      return (v) => !Array.isArray(v) || v.every((x) => item(x));
    }
    case 'enum': {
      if (!Array.isArray(rule) || !rule.every(isPrimitive)) return undefined;
      const allowed = new Set(rule);
      return (v) => allowed.has(v);
    }
    case 'const':
      return isPrimitive(rule) ? (v) => v === rule : undefined;
    case 'minLength':
    case 'maxLength': {
      if (typeof rule !== 'number') return undefined;
      const ok = key === 'minLength' ? (n: number) => n >= rule : (n: number) => n <= rule;
      return (v) => typeof v !== 'string' || ok(codePoints(v));
    }
    case 'minItems':
    case 'maxItems': {
      if (typeof rule !== 'number') return undefined;
      const ok = key === 'minItems' ? (n: number) => n >= rule : (n: number) => n <= rule;
      return (v) => !Array.isArray(v) || ok(v.length);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      if (typeof rule !== 'number') return undefined;
      const ok = {
        minimum: (n: number) => n >= rule,
        maximum: (n: number) => n <= rule,
        exclusiveMinimum: (n: number) => n > rule,
        exclusiveMaximum: (n: number) => n < rule,
      }[key];
      return (v) => typeof v !== 'number' || ok(v);
    }
    default:
      return undefined;
  }
}
