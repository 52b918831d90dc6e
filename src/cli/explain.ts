import type { Client } from '../client/index.js';
import { ErrorCode, McpError } from '../protocol/errors.js';

/** What to do when a server needs a client capability the command did not declare. */
const CAPABILITY_HINTS: Record<string, string> = {
  elicitation: `run the command in a terminal to answer it, or pass --elicit '{"field":"value"}' (or --elicit decline)`,
  'elicitation.form': `run the command in a terminal to answer it, or pass --elicit '{"field":"value"}' (or --elicit decline)`,
  'elicitation.url': 'run the command in a terminal to be shown the URL',
  roots: 'pass --root <path or URI> (repeatable) to offer roots',
  sampling: 'mcpkit has no model to sample with: use a client that has one',
  'sampling.tools': 'mcpkit has no model to sample with: use a client that has one',
};

/** `{ elicitation: { form: {} } }` -> `elicitation.form`. */
function pathOf(caps: unknown): string | undefined {
  if (typeof caps !== 'object' || caps === null) return undefined;
  const [key, value] = Object.entries(caps)[0] ?? [];
  if (key === undefined) return undefined;
  const inner = typeof value === 'object' && value !== null ? Object.keys(value)[0] : undefined;
  return inner ? `${key}.${inner}` : key;
}

export function capabilityHint(capability: string): string {
  return `the server needs the client capability ${capability}: ${CAPABILITY_HINTS[capability] ?? 'mcpkit cannot provide it'}`;
}

/** The capability a failed call needed: -32021's data (modern), or a legacy tool's own words. */
export function missingCapability(error: unknown, resultText?: string): string | undefined {
  if (error instanceof McpError && error.code === ErrorCode.MissingRequiredClientCapability) {
    return pathOf((error.data as { requiredCapabilities?: unknown } | undefined)?.requiredCapabilities);
  }
  return resultText ? /did not declare the ([\w.]+) capability/.exec(resultText)?.[1] : undefined;
}

/** A tool name the server does not have: the closest names it does have. */
export async function unknownToolMessage(client: Client, tool: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await client.allTools()).map((t) => t.name);
  } catch {
    return undefined;
  }
  if (names.includes(tool)) return undefined;
  const near = names
    .map((name) => ({ name, distance: editDistance(tool.toLowerCase(), name.toLowerCase()) }))
    .filter((n) => n.distance <= Math.max(2, Math.floor(tool.length / 3)) || n.name.includes(tool))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map((n) => `"${n.name}"`);
  const suggestion = near.length > 0 ? ` Did you mean ${near.join(' or ')}?` : '';
  return `The server has no tool "${tool}".${suggestion} (mcpkit inspect lists its ${names.length} tools)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export function isInvalidParams(error: unknown): boolean {
  return error instanceof McpError && error.code === ErrorCode.InvalidParams;
}
