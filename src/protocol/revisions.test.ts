import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import { isModernHttpError, modernHttpStatus } from './http-status.js';
import { requestEra } from './revisions.js';

describe('the era of a request is decided in one place', () => {
  it.each([
    [undefined, null, 'legacy'],
    ['2026-07-28', null, 'modern'],
    ['1999-01-01', null, 'modern'], // named in _meta: the modern path refuses the version itself
    [undefined, '2025-11-25', 'legacy'],
    [undefined, '2025-03-26', 'legacy'],
    [undefined, '2026-07-28', 'modern'],
    [undefined, '2099-01-01', 'modern'],
    [undefined, '2020-01-01', 'legacy'],
    [undefined, 'garbage', 'modern'],
  ] as const)('_meta version %s, header %s: %s', (meta, header, era) => {
    expect(requestEra(meta, header)).toBe(era);
  });
});

describe('one table of modern HTTP error statuses (2026-07-28 transports)', () => {
  it.each([
    [undefined, 200],
    [ErrorCode.MethodNotFound, 404],
    [ErrorCode.UnsupportedProtocolVersion, 400],
    [ErrorCode.HeaderMismatch, 400],
    [ErrorCode.MissingRequiredClientCapability, 400],
    [ErrorCode.InvalidParams, 200],
    [ErrorCode.InternalError, 200],
  ])('code %s -> %s', (code, status) => {
    expect(modernHttpStatus(code)).toBe(status);
    expect(isModernHttpError(code)).toBe(status !== 200);
  });
});
