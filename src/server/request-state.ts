import { base64url, fromBase64url } from '../engine/base64url.js';
import { ErrorCode, McpError } from '../protocol/errors.js';

/**
 * Tamper-proof `requestState` for MRTR (2026-07-28 basic/patterns/mrtr, "Server Requirements"):
 * the state is attacker-controlled input, so it is HMAC-SHA-256 signed, expires, and is bound to
 * the request it was issued for (method, target and a digest of the arguments).
 */
export interface RequestStatePayload {
  /** What the state is bound to: method, target name or URI, arguments digest. */
  bind: string;
  /** Answers collected in earlier rounds, by input key. */
  answers: Record<string, unknown>;
  /** Input keys asked in the round that issued this state. */
  asked: string[];
  /** Expiry, epoch milliseconds. */
  exp: number;
}

const encoder = new TextEncoder();

/** JSON with sorted keys, so a digest does not depend on how a client orders its arguments. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class RequestStateCodec {
  private key?: Promise<CryptoKey>;

  constructor(
    /** The HMAC key, or where to get it: a random one is drawn on first use, not at start-up. */
    private readonly secret: Uint8Array | (() => Uint8Array),
    readonly ttlMs: number,
  ) {
    if (typeof secret !== 'function' && secret.length < 32)
      throw new TypeError('requestStateSecret must be at least 32 bytes');
  }

  static random(ttlMs: number): RequestStateCodec {
    return new RequestStateCodec(() => crypto.getRandomValues(new Uint8Array(32)), ttlMs);
  }

  private hmacKey(): Promise<CryptoKey> {
    const secret = this.secret;
    this.key ??= crypto.subtle.importKey(
      'raw',
      (typeof secret === 'function' ? secret() : secret) as BufferSource,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    return this.key;
  }

  async seal(payload: RequestStatePayload): Promise<string> {
    const body = base64url(encoder.encode(JSON.stringify(payload)));
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await this.hmacKey(), encoder.encode(body)));
    return `${body}.${base64url(mac)}`;
  }

  /** Verifies and decodes a state; throws InvalidParams when it was altered, expired or misapplied. */
  async open(token: string, bind: string, now = Date.now()): Promise<RequestStatePayload> {
    const reject = (why: string) => new McpError(ErrorCode.InvalidParams, `Invalid requestState: ${why}`);
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined || token.length > 1_000_000) throw reject('malformed');
    let valid = false;
    try {
      valid = await crypto.subtle.verify(
        'HMAC',
        await this.hmacKey(),
        fromBase64url(mac) as BufferSource,
        encoder.encode(body),
      );
    } catch {
      valid = false;
    }
    if (!valid)
      throw reject(
        'signature does not verify (if several servers answer this endpoint, give them one requestStateSecret)',
      );
    const payload = JSON.parse(new TextDecoder().decode(fromBase64url(body))) as RequestStatePayload;
    if (payload.exp < now) throw reject('expired');
    if (payload.bind !== bind) throw reject('issued for a different request');
    return payload;
  }
}

/**
 * The binding of a state to its request: method, target, a digest of the arguments, and the
 * authenticated caller it was issued to, so that one principal cannot replay another's state.
 */
export async function bindingOf(method: string, target: string, args: unknown, owner = ''): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', encoder.encode(canonicalJson(args ?? {}))),
  );
  return `${method}\n${target}\n${base64url(digest)}\n${owner}`;
}
