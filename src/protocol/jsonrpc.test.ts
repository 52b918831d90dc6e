import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import {
  DEFAULT_DECODE_LIMITS,
  type Decoded,
  decode,
  encode,
  type JsonRpcMessage,
  peekId,
} from './jsonrpc.js';

const id = fc.oneof(fc.string({ maxLength: 20 }), fc.integer());
// "__proto__" keys are refused by design (tested below), so the round trips leave them out.
const json = fc.jsonValue({ maxDepth: 5 }).filter((v) => !JSON.stringify(v).includes('"__proto__"'));
const params = fc.dictionary(
  fc.string({ maxLength: 10 }).filter((k) => k !== '__proto__'),
  json,
  { maxKeys: 5 },
);
const method = fc.string({ minLength: 1, maxLength: 30 });

const request = fc.record(
  { jsonrpc: fc.constant('2.0' as const), id, method, params },
  { requiredKeys: ['jsonrpc', 'id', 'method'] },
);
const notification = fc.record(
  { jsonrpc: fc.constant('2.0' as const), method, params },
  { requiredKeys: ['jsonrpc', 'method'] },
);
const result = fc.record({ jsonrpc: fc.constant('2.0' as const), id, result: params });
const error = fc.record({
  jsonrpc: fc.constant('2.0' as const),
  id: fc.oneof(id, fc.constant(null)),
  error: fc.record(
    { code: fc.integer(), message: fc.string(), data: json },
    { requiredKeys: ['code', 'message'] },
  ),
});
const message = fc.oneof(request, notification, result, error) as fc.Arbitrary<JsonRpcMessage>;

/** JSON.stringify drops -0 to 0 and undefined keys; compare as they travel. */
const wire = (v: unknown) => JSON.parse(JSON.stringify(v));

function errorOf(decoded: Decoded) {
  if (decoded.kind !== 'invalid') throw new Error(`expected an invalid frame, got ${decoded.kind}`);
  return decoded.error;
}

describe('JSON-RPC 2.0 framing', () => {
  it('round-trips every well-formed message', () => {
    fc.assert(
      fc.property(message, (m) => {
        const decoded = decode(encode(m));
        expect(decoded).toEqual({ kind: 'message', message: wire(m) });
      }),
    );
  });

  it('round-trips batches item by item', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 10 }), (batch) => {
        const decoded = decode(encode(batch));
        expect(decoded).toEqual({ kind: 'batch', items: batch.map((m) => ({ message: wire(m) })) });
      }),
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(() => decode(text)).not.toThrow();
      }),
    );
  });
});

describe('bad input gets the right error', () => {
  it('a malformed line is a parse error with a null id', () => {
    expect(errorOf(decode('{"jsonrpc": "2.0", "id": 1,'))).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: ErrorCode.ParseError, message: 'Parse error' },
    });
  });

  it('a wrong jsonrpc field is an invalid request that keeps the id', () => {
    const e = errorOf(decode('{"jsonrpc":"1.0","id":7,"method":"ping"}'));
    expect(e.id).toBe(7);
    expect(e.error.code).toBe(ErrorCode.InvalidRequest);
  });

  it('a null request id is rejected, not taken for a notification', () => {
    const e = errorOf(decode('{"jsonrpc":"2.0","id":null,"method":"ping"}'));
    expect(e.error.code).toBe(ErrorCode.InvalidRequest);
  });

  it('params must be an object', () => {
    expect(errorOf(decode('{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}')).error.code).toBe(
      ErrorCode.InvalidRequest,
    );
  });

  it('an oversized message is refused before parsing', () => {
    const big = `{"jsonrpc":"2.0","method":"x","params":{"s":"${'a'.repeat(200)}"}}`;
    const e = errorOf(decode(big, { ...DEFAULT_DECODE_LIMITS, maxMessageLength: 100 }));
    expect(e.error.code).toBe(ErrorCode.InvalidRequest);
    expect(e.error.message).toMatch(/exceeds 100/);
  });

  it('an oversized or too deep request is refused with its id when the frame starts with it', () => {
    const limits = { ...DEFAULT_DECODE_LIMITS, maxMessageLength: 100 };
    const big = (head: string) => `{${head}"params":{"s":"${'a'.repeat(200)}"}}`;
    expect(errorOf(decode(big('"jsonrpc":"2.0","id":42,"method":"x",'), limits)).id).toBe(42);
    expect(errorOf(decode(big('"id" : "r-1","jsonrpc":"2.0","method":"x",'), limits)).id).toBe('r-1');
    const deep = `{"jsonrpc":"2.0","id":"d","method":"x","params":{"a":${'['.repeat(100)}${']'.repeat(100)}}}`;
    expect(errorOf(decode(deep)).id).toBe('d');
  });

  it.each([
    ['{"params":{"id":7},"id":8}', 8],
    ['{"params":{"id":7}}', null],
    ['{"x":"\\"id\\":5","id":"ok"}', 'ok'],
    ['{"id":1.5}', null],
    ['{"id":null}', null],
    ['{"id":"unterminated', null],
    ['[{"id":3}]', null],
    [`{"pad":"${'p'.repeat(5000)}","id":9}`, null],
  ])('peekId(%s) is %s: only a top-level id in the first 4 KiB', (text, expected) => {
    expect(peekId(text)).toBe(expected);
  });

  it('absurdly deep JSON is refused without reaching the parser', () => {
    const deep = `{"jsonrpc":"2.0","method":"x","params":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    const e = errorOf(decode(deep));
    expect(e.error.message).toMatch(/depth 64/);
  });

  it.each([
    ['small (walked after parsing)', 0],
    ['large (scanned before parsing)', 5000],
  ])('depth is bounded the same way for a %s frame: 64 levels pass, 65 do not', (_kind, pad) => {
    const nest = (levels: number) =>
      `{"jsonrpc":"2.0","id":"deep","method":"x","params":{"pad":"${'p'.repeat(pad)}","a":${'['.repeat(levels - 2)}${']'.repeat(levels - 2)}}}`;
    expect(decode(nest(64)).kind).toBe('message');
    const refused = errorOf(decode(nest(65)));
    expect(refused.error.message).toMatch(/depth 64/);
    expect(refused.id).toBe('deep');
  });

  it('brackets inside strings do not count as depth', () => {
    const text = JSON.stringify({
      jsonrpc: '2.0',
      method: 'x',
      params: { s: '[[[[['.repeat(100), q: 'a\\"[[' },
    });
    expect(decode(text).kind).toBe('message');
  });

  it('a "__proto__" key is refused anywhere in the message', () => {
    const e = errorOf(
      decode('{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":{"__proto__":{"polluted":true}}}}'),
    );
    expect(e.error.code).toBe(ErrorCode.InvalidRequest);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('"__proto__" as a string value is fine', () => {
    expect(decode('{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":"__proto__"}}').kind).toBe('message');
  });

  it('an empty batch and an oversized batch are invalid requests', () => {
    expect(errorOf(decode('[]')).error.code).toBe(ErrorCode.InvalidRequest);
    const many = JSON.stringify(
      Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'ping' })),
    );
    expect(errorOf(decode(many)).error.message).toMatch(/Batch exceeds 100/);
  });

  it('invalid members of a batch are answered one by one', () => {
    const decoded = decode('[{"jsonrpc":"2.0","id":1,"method":"ping"}, 5, {"jsonrpc":"2.0","id":2}]');
    if (decoded.kind !== 'batch') throw new Error('expected a batch');
    expect(decoded.items[0]).toHaveProperty('message');
    expect(decoded.items[1]).toMatchObject({
      invalid: { id: null, error: { code: ErrorCode.InvalidRequest } },
    });
    expect(decoded.items[2]).toMatchObject({ invalid: { id: 2, error: { code: ErrorCode.InvalidRequest } } });
  });
});
