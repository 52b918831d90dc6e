import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InputHandlers } from '../client/index.js';
import type { ElicitResult, Root } from '../protocol/schemas/index.js';
import { type Ask, askForm } from './form.js';

export interface AnswerFlags {
  /** `--elicit`: JSON content to accept with, or `accept`, `decline`, `cancel`. */
  elicit?: string | undefined;
  /** `--root`: paths or URIs offered as the client's roots. */
  root?: string[] | undefined;
}

/**
 * How `mcpkit call` and `inspect` answer a server's questions: elicitation from `--elicit`, or
 * interactively when a person is at the terminal; roots from `--root`. Sampling needs a model,
 * which the command does not have: it is never declared.
 */
export function answersOf(
  flags: AnswerFlags,
  terminal: Ask | undefined,
  write: (text: string) => void,
): InputHandlers {
  const handlers: InputHandlers = {};
  if (flags.elicit !== undefined) {
    const scripted = scriptedAnswer(flags.elicit);
    handlers.elicit = () => scripted;
  } else if (terminal) {
    handlers.elicit = (params) => askForm(params, terminal, write);
    handlers.elicitationModes = ['form', 'url'];
  }
  if (flags.root && flags.root.length > 0) handlers.roots = flags.root.map(rootOf);
  return handlers;
}

function scriptedAnswer(flag: string): ElicitResult {
  if (flag === 'decline' || flag === 'cancel') return { action: flag };
  if (flag === 'accept') return { action: 'accept', content: {} };
  let content: unknown;
  try {
    content = JSON.parse(flag);
  } catch {
    content = undefined;
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new Error(
      `--elicit takes the answer as a JSON object, such as '{"name":"Ada"}', or accept, decline or cancel; not ${flag}`,
    );
  }
  return { action: 'accept', content: content as never };
}

/** A `file://` URI as given, or a local path as one: MCP roots are file URIs. */
function rootOf(value: string): Root {
  if (/^file:\/\//i.test(value)) return { uri: value };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    throw new Error(`--root takes a local path or a file:// URI (MCP roots are files), not ${value}`);
  const path = resolve(value);
  return { uri: pathToFileURL(path).href, name: basename(path) };
}
