import { describe, expect, it } from 'vitest';
import type { Principal } from '../engine/principal.js';
import { bearerAuth } from './bearer-auth.js';
import type { AuthProvider } from './provider.js';
import { staticTokens } from './static-tokens.js';

const auth = bearerAuth({
  resource: 'https://mcp.example/mcp',
  provider: staticTokens([{ token: 'tok-123', subject: 'ada' }]),
});

async function verdict(authorization: string) {
  const headers = new Headers({ authorization });
  const result = await auth.authenticate({ headers, url: 'https://mcp.example/mcp' });
  return 'principal' in result ? result.principal?.subject : result.refusal.status;
}

describe('the Authorization header', () => {
  it('takes "Bearer <token>" with the scheme in any case and any number of spaces', async () => {
    expect(await verdict('Bearer tok-123')).toBe('ada');
    expect(await verdict('bearer tok-123')).toBe('ada');
    expect(await verdict('BEARER   tok-123')).toBe('ada');
    expect(await verdict('  Bearer tok-123  ')).toBe('ada');
  });

  it.each(['Basic tok-123', 'Bearer', 'Bearer ', 'Bearertok-123', 'Bearer\ttok-123', 'Bearer tok-999'])(
    'refuses %j (another scheme, no token, a tab for the space, an unknown token)',
    async (value) => expect(await verdict(value)).toBe(401),
  );

  it('answers a token its provider knows already (peek) at once, without a promise', async () => {
    const seen = new Map<string, Principal>();
    const provider: AuthProvider = {
      authenticate: async (token) => {
        const principal: Principal | undefined =
          token === 'tok-123' ? { subject: 'ada', scopes: [], roles: [], method: 'bearer' } : undefined;
        if (principal) seen.set(token, principal);
        return principal;
      },
      peek: (token) => seen.get(token),
    };
    const cached = bearerAuth({ resource: 'https://mcp.example/mcp', provider });
    const request = {
      headers: new Headers({ authorization: 'Bearer tok-123' }),
      url: 'https://mcp.example/mcp',
    };
    const first = cached.authenticate(request);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ principal: { subject: 'ada' } });
    const again = cached.authenticate(request);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toMatchObject({ principal: { subject: 'ada' } });
  });
});
