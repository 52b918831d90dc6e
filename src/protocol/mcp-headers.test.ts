import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, encodeHeaderValue, headerAnnotations } from './mcp-headers.js';

describe('x-mcp-header annotations (2026-07-28 Streamable HTTP, "Schema Extension")', () => {
  it('finds annotations reachable through properties only', () => {
    const schema = {
      type: 'object',
      properties: {
        region: { type: 'string', 'x-mcp-header': 'Region' },
        opts: { type: 'object', properties: { dry: { type: 'boolean', 'x-mcp-header': 'Dry-Run' } } },
      },
    };
    expect(headerAnnotations(schema)).toEqual([
      { name: 'Region', path: ['region'], type: 'string' },
      { name: 'Dry-Run', path: ['opts', 'dry'], type: 'boolean' },
    ]);
  });

  it.each([
    ['an empty name', { p: { type: 'string', 'x-mcp-header': '' } }, /non-empty HTTP token/],
    ['a name with a space', { p: { type: 'string', 'x-mcp-header': 'A B' } }, /HTTP token/],
    ['a number parameter', { p: { type: 'number', 'x-mcp-header': 'N' } }, /string, integer or boolean/],
    [
      'names equal but for case',
      { a: { type: 'string', 'x-mcp-header': 'X' }, b: { type: 'string', 'x-mcp-header': 'x' } },
      /unique/,
    ],
  ])('rejects %s', (_what, properties, message) => {
    expect(() => headerAnnotations({ type: 'object', properties })).toThrow(message);
  });

  it('rejects annotations under items, composition keywords or $defs', () => {
    const under = (keyword: string, sub: unknown) => ({
      type: 'object',
      properties: { p: { [keyword]: sub } },
    });
    expect(() => headerAnnotations(under('items', { type: 'string', 'x-mcp-header': 'I' }))).toThrow(
      /reachable/,
    );
    expect(() => headerAnnotations(under('anyOf', [{ type: 'string', 'x-mcp-header': 'A' }]))).toThrow(
      /reachable/,
    );
    expect(() =>
      headerAnnotations({ type: 'object', $defs: { d: { type: 'string', 'x-mcp-header': 'D' } } }),
    ).toThrow(/reachable/);
  });
});

describe('header value encoding', () => {
  it('keeps plain ASCII values as they are', () => {
    expect(encodeHeaderValue('us-west1')).toBe('us-west1');
  });

  it('wraps non-ASCII, control characters and edge whitespace in the Base64 sentinel', () => {
    expect(encodeHeaderValue('日本')).toMatch(/^=\?base64\?.+\?=$/);
    expect(encodeHeaderValue(' padded')).toMatch(/^=\?base64\?/);
    expect(encodeHeaderValue('a\nb')).toMatch(/^=\?base64\?/);
  });

  it('decodes the sentinel form strictly and takes anything else literally', () => {
    expect(decodeHeaderValue('=?base64?SGVsbG8=?=')).toBe('Hello');
    expect(() => decodeHeaderValue('=?base64?SGVsbG8?=')).toThrow(/Invalid Base64/);
    expect(() => decodeHeaderValue('=?base64?SGVs!!!bG8=?=')).toThrow(/Invalid Base64/);
    expect(decodeHeaderValue('SGVsbG8=')).toBe('SGVsbG8=');
  });

  it('round-trips any string', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(decodeHeaderValue(encodeHeaderValue(s))).toBe(s);
      }),
    );
  });
});
