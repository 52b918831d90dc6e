import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectionProvider } from './introspection.js';
import { AuthFailure } from './provider.js';

// An RFC 7662 endpoint on a real port: it checks the resource server's credentials and knows two
// tokens; it can also be made to fail, as an authorization server that is down would.
let endpoint: string;
let server: Server;
let calls = 0;
let down = false;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  server = createServer((req, res) => {
    calls++;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (down) return res.writeHead(500).end();
      if (req.headers.authorization !== `Basic ${btoa('rs:secret')}`) return res.writeHead(401).end();
      const token = new URLSearchParams(body).get('token');
      const answer =
        token === 'good'
          ? {
              active: true,
              sub: 'carol',
              scope: 'mcp:read',
              client_id: 'app',
              aud: 'https://mcp.example/mcp',
              exp: now() + 60,
            }
          : token === 'other-aud'
            ? { active: true, sub: 'carol', aud: 'https://elsewhere.example', exp: now() + 60 }
            : { active: false };
      res.setHeader('content-type', 'application/json').end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
});
afterAll(() => void server?.close());

describe('RFC 7662 introspection', () => {
  const provider = () =>
    introspectionProvider({
      endpoint,
      clientId: 'rs',
      clientSecret: 'secret',
      audience: 'https://mcp.example/mcp',
    });

  it('turns an active token into a principal, and asks once while it is cached', async () => {
    const p = provider();
    const before = calls;
    const principal = await p.authenticate('good');
    expect(principal).toMatchObject({
      subject: 'carol',
      scopes: ['mcp:read'],
      clientId: 'app',
      method: 'introspection',
    });
    await p.authenticate('good');
    expect(calls - before).toBe(1);
  });

  it('refuses an inactive token and one issued for another resource', async () => {
    await expect(provider().authenticate('nope')).rejects.toThrow('the token is not active');
    await expect(provider().authenticate('other-aud')).rejects.toThrow(
      'the token was issued for another resource',
    );
  });

  it('fails closed when the authorization server is down', async () => {
    down = true;
    try {
      const failure = await provider()
        .authenticate('good')
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(AuthFailure);
      expect((failure as AuthFailure).reason).toBe('unavailable');
    } finally {
      down = false;
    }
  });
});
