import { describe, expect, it } from 'vitest';
import { parseChallenge } from './challenge.js';

describe('parseChallenge', () => {
  it('reads quoted and token parameters of a Bearer or DPoP challenge', () => {
    expect(
      parseChallenge(
        'Basic realm="x", Bearer error="insufficient_scope", scope="a b", resource_metadata="https://r.example/m"',
      ),
    ).toEqual({ error: 'insufficient_scope', scope: 'a b', resourceMetadata: 'https://r.example/m' });
    expect(parseChallenge('DPoP error=invalid_token,scope=x')).toEqual({
      error: 'invalid_token',
      scope: 'x',
    });
    expect(parseChallenge('Bearer scope="say \\"hi\\""')).toEqual({ scope: 'say "hi"' });
  });

  it('reads a hostile header in one pass: 1 MB of letters with no "=" is no parameter', () => {
    // Far past any real header (16 KiB): a quadratic reading would time the test out.
    expect(parseChallenge(`Bearer ${'a'.repeat(1_000_000)}`)).toEqual({});
    expect(parseChallenge(`Bearer ${'a9'.repeat(500_000)} scope="s"`)).toEqual({ scope: 's' });
  });
});
