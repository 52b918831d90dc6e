/**
 * RFC 6570 URI templates, levels 1-4 for expansion and the matching a resource server needs.
 * Matching is one linear pass without regular expressions, over URIs of bounded length: it cannot
 * be driven into catastrophic backtracking (the URI-template ReDoS advisories against other SDKs).
 */

type Operator = '' | '+' | '#' | '.' | '/' | ';' | '?' | '&';
interface VarSpec {
  name: string;
  explode: boolean;
  prefix?: number;
}
type Part = string | { op: Operator; vars: VarSpec[] };

export type TemplateVariables = Record<string, string | string[]>;

const OPERATORS = new Set(['+', '#', '.', '/', ';', '?', '&']);
const FIRST: Record<Operator, string> = {
  '': '',
  '+': '',
  '#': '#',
  '.': '.',
  '/': '/',
  ';': ';',
  '?': '?',
  '&': '&',
};
const SEP: Record<Operator, string> = {
  '': ',',
  '+': ',',
  '#': ',',
  '.': '.',
  '/': '/',
  ';': ';',
  '?': '&',
  '&': '&',
};
const NAMED = new Set<Operator>([';', '?', '&']);
const RESERVED_OK = new Set<Operator>(['+', '#']);

export const MAX_TEMPLATE_URI_LENGTH = 8192;

export class UriTemplate {
  private readonly parts: Part[];

  constructor(readonly template: string) {
    if (template.length > MAX_TEMPLATE_URI_LENGTH) throw new Error('URI template too long');
    this.parts = parse(template);
  }

  get variableNames(): string[] {
    return this.parts.flatMap((p) => (typeof p === 'string' ? [] : p.vars.map((v) => v.name)));
  }

  expand(values: TemplateVariables): string {
    return this.parts
      .map((p) => (typeof p === 'string' ? p : expandExpression(p.op, p.vars, values)))
      .join('');
  }

  /**
   * The first variable whose value is unsafe for its expansion: after percent-decoding, a value of
   * a simple, label, path-segment or query expansion holds `/`, `\`, a control character (NUL...)
   * or is `.` / `..`, so a handler that builds a file path from it could be led outside its folder.
   * Reserved expansions (`{+var}`, `{#var}`) may hold `/` by design and are not checked.
   */
  unsafeValue(values: TemplateVariables): { name: string; value: string } | undefined {
    for (const part of this.parts) {
      if (typeof part === 'string' || RESERVED_OK.has(part.op)) continue;
      for (const { name } of part.vars) {
        const value = values[name];
        for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value])
          if (isUnsafe(item)) return { name, value: item };
      }
    }
    return undefined;
  }

  /** Variables of a URI that this template could have produced, or undefined. */
  match(uri: string): TemplateVariables | undefined {
    if (uri.length > MAX_TEMPLATE_URI_LENGTH) return undefined;
    const found = matchParts(this.parts, uri);
    if (!found) return undefined;
    const out: TemplateVariables = {};
    for (const { op, vars, raw } of found) assignValues(op, vars, raw, out);
    return out;
  }
}

function parse(template: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      parts.push(template.slice(i));
      break;
    }
    if (open > i) parts.push(template.slice(i, open));
    const close = template.indexOf('}', open);
    if (close < 0) throw new Error(`Unclosed expression in URI template: ${template}`);
    let body = template.slice(open + 1, close);
    let op: Operator = '';
    if (OPERATORS.has(body[0] ?? '')) {
      op = body[0] as Operator;
      body = body.slice(1);
    }
    const vars = body.split(',').map((spec): VarSpec => {
      const m = /^([A-Za-z0-9_.%]+)(\*|:(\d{1,4}))?$/.exec(spec);
      if (!m) throw new Error(`Invalid variable "${spec}" in URI template: ${template}`);
      return { name: m[1]!, explode: m[2] === '*', ...(m[3] ? { prefix: Number(m[3]) } : {}) };
    });
    parts.push({ op, vars });
    i = close + 1;
  }
  return parts;
}

function encode(value: string, op: Operator): string {
  const reserved = RESERVED_OK.has(op);
  return Array.from(new TextEncoder().encode(value), (byte) => {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (reserved && /[:/?#[\]@!$&'()*+,;=]/.test(c))) return c;
    return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

function expandExpression(op: Operator, vars: VarSpec[], values: TemplateVariables): string {
  const pieces: string[] = [];
  for (const v of vars) {
    const value = values[v.name];
    if (value === undefined) continue;
    const list = Array.isArray(value) ? value : [v.prefix ? value.slice(0, v.prefix) : value];
    if (list.length === 0) continue;
    const named = NAMED.has(op);
    if (v.explode) {
      for (const item of list) pieces.push(named ? `${v.name}=${encode(item, op)}` : encode(item, op));
    } else {
      const joined = list.map((item) => encode(item, op)).join(',');
      pieces.push(named ? (joined === '' && op === ';' ? v.name : `${v.name}=${joined}`) : joined);
    }
  }
  return pieces.length === 0 ? '' : FIRST[op] + pieces.join(SEP[op]);
}

/** Characters an expression of each operator may consume when matching. */
function allowed(op: Operator): (c: string) => boolean {
  switch (op) {
    case '#':
      return () => true;
    case '+':
    case '/':
      return (c) => c !== '?' && c !== '#';
    case '?':
    case '&':
      return (c) => c !== '#';
    default:
      return (c) => c !== '/' && c !== '?' && c !== '#' && c !== '&' && c !== ',';
  }
}

/**
 * A single left-to-right pass, no regular expression and no backtracking: each expression takes
 * the characters its operator allows, up to the first place where the literal that follows it
 * matches. Adjacent expressions are ambiguous in RFC 6570 anyway; here the first one takes all.
 */
function matchParts(
  parts: Part[],
  uri: string,
): Array<{ op: Operator; vars: VarSpec[]; raw: string }> | undefined {
  const found: Array<{ op: Operator; vars: VarSpec[]; raw: string }> = [];
  let pos = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (typeof part === 'string') {
      if (!uri.startsWith(part, pos)) return undefined;
      pos += part.length;
      continue;
    }
    const prefix = FIRST[part.op];
    if (prefix !== '') {
      if (uri[pos] !== prefix) continue; // an optional expression that expanded to nothing
      pos++;
    }
    const next = parts[i + 1];
    const stop = typeof next === 'string' ? next : undefined;
    const ok = allowed(part.op);
    let end = pos;
    while (end < uri.length && ok(uri[end]!) && !(stop && uri.startsWith(stop, end))) end++;
    found.push({ op: part.op, vars: part.vars, raw: uri.slice(pos, end) });
    pos = end;
  }
  return pos === uri.length ? found : undefined;
}

function assignValues(op: Operator, vars: VarSpec[], raw: string, out: TemplateVariables): void {
  const sep = SEP[op];
  const items = raw === '' ? [] : raw.split(sep);
  if (NAMED.has(op)) {
    for (const item of items) {
      const eq = item.indexOf('=');
      const name = decode(eq < 0 ? item : item.slice(0, eq));
      const value = eq < 0 ? '' : item.slice(eq + 1);
      const spec = vars.find((v) => v.name === name);
      if (!spec) continue;
      const prior = out[name];
      const decoded = spec.explode ? decode(value) : value.split(',').map(decode);
      if (spec.explode)
        out[name] =
          prior === undefined ? decoded : [...(Array.isArray(prior) ? prior : [prior]), decoded as string];
      else out[name] = (decoded as string[]).length === 1 ? (decoded as string[])[0]! : (decoded as string[]);
    }
    return;
  }
  if (vars.length === 1) {
    const v = vars[0]!;
    const values =
      v.explode || (raw.includes(',') && op !== '+' && op !== '#') ? items.map(decode) : [decode(raw)];
    out[v.name] = values.length === 1 && !v.explode ? values[0]! : values;
    return;
  }
  vars.forEach((v, i) => {
    if (items[i] !== undefined) out[v.name] = decode(items[i]!);
  });
}

function isUnsafe(value: string): boolean {
  if (value === '.' || value === '..') return true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f /* / */ || c === 0x5c /* \ */) return true;
  }
  return false;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
