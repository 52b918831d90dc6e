import { DEFAULT_DECODE_LIMITS } from '../../protocol/jsonrpc.js';

/** The longest answer a client reads by default: the same 10 Mi characters a peer decodes. */
export const DEFAULT_MAX_ANSWER_LENGTH = DEFAULT_DECODE_LIMITS.maxMessageLength;

/** A server's answer (a JSON body, an SSE line or event) longer than the client accepts. */
export class AnswerTooLarge extends Error {
  /** `option`: the setting that raises the limit, named in the message. */
  constructor(what: string, maxLength: number, option?: string) {
    super(`${what} exceeds ${maxLength} characters${option ? ` (${option})` : ''}`);
    this.name = 'AnswerTooLarge';
  }
}

/**
 * A response body as text, read no further than `maxLength` characters: a server that sends more
 * (or never stops) costs the client that much memory, then the download is cancelled.
 */
export async function readTextUpTo(
  response: Response,
  maxLength: number,
  option: string | undefined = 'maxMessageLength',
): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text + decoder.decode();
      text += decoder.decode(value, { stream: true });
      if (text.length > maxLength) throw new AnswerTooLarge('The answer', maxLength, option);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    reader.releaseLock();
  }
}

/** Metadata, token and registration answers are a few KiB: 1 Mi characters is generous. */
export const MAX_JSON_DOCUMENT_LENGTH = 1024 * 1024;

/**
 * A JSON document read within `maxLength` characters (OAuth metadata, token answers): the URL may
 * come from a server the client does not trust, so its size is bounded like any answer.
 */
export async function readJsonUpTo(
  response: Response,
  maxLength: number = MAX_JSON_DOCUMENT_LENGTH,
): Promise<unknown> {
  return JSON.parse(await readTextUpTo(response, maxLength, undefined));
}
