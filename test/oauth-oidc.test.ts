import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthClient } from '../src/auth/index.js';
import { Client } from '../src/client/index.js';
import { StreamableHttpClientTransport } from '../src/transports/index.js';
import { browse, type OidcFixture, startOidcFixture } from './helpers/oidc.js';

// The mcpkit client against a real, independent OpenID provider, calling an mcpkit server that
// takes the provider's JWT access tokens.

const REDIRECT = 'http://127.0.0.1:8976/callback';
let oidc: OidcFixture;
beforeAll(async () => {
  oidc = await startOidcFixture();
}, 30_000);
afterAll(async () => {
  await oidc?.close();
});

describe('OAuthClient against oidc-provider', () => {
  it('registers, signs in with PKCE, calls the protected server, and refreshes without signing in again', async () => {
    const authorization = new OAuthClient({
      redirectUri: REDIRECT,
      clientName: 'mcpkit e2e',
      redirect: (url) => browse(url, REDIRECT),
    });
    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHttpClientTransport(oidc.mcpUrl, { authorization }));
    const first = await client.callTool('whoami');
    expect(first.content).toEqual([
      { type: 'text', text: expect.stringMatching(/^alice \(.*mcp:read.*\)$/) },
    ]);
    expect(oidc.signIns()).toBeGreaterThan(0);
    const before = oidc.signIns();
    // Pretend the access token has expired: the client refreshes it, with no new sign-in.
    const store = (authorization as unknown as { store: { get(r: string): Promise<{ expiresAt?: number }> } })
      .store;
    const held = await store.get(oidc.mcpUrl);
    expect(held).toMatchObject({ refreshToken: expect.any(String) });
    (held as { expiresAt?: number }).expiresAt = Date.now();
    const second = await client.callTool('whoami');
    expect(second.content).toEqual(first.content);
    expect(oidc.signIns()).toBe(before);
    await client.close();
  });

  it('signs in once for requests refused at the same time', async () => {
    let redirects = 0;
    const authorization = new OAuthClient({
      redirectUri: REDIRECT,
      redirect: (url) => {
        redirects++;
        return browse(url, REDIRECT);
      },
    });
    const refused = await fetch(oidc.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    const challenge = {
      status: refused.status,
      wwwAuthenticate: refused.headers.get('www-authenticate'),
      resourceUrl: oidc.mcpUrl,
    };
    expect(await Promise.all([1, 2, 3].map(() => authorization.unauthorized(challenge)))).toEqual([
      true,
      true,
      true,
    ]);
    expect(redirects).toBe(1);
    expect((await authorization.headers()).authorization).toMatch(/^Bearer ey/);
  });
});
