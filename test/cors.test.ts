import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpServer, JSON_HEADERS } from './helpers/http.js';

// What a browser sends and reads, header by header: the preflight, then the request with its Origin.
const PAGE = 'https://app.example.com';

let server: Awaited<ReturnType<typeof httpServer>>;
beforeAll(async () => {
  server = await httpServer({ allowedOrigins: [PAGE] });
});
afterAll(async () => {
  await server?.close();
});

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'page', version: '1' } },
};

describe('CORS for browser clients', () => {
  it('answers a preflight from an admitted origin, echoing the headers the page asked for', async () => {
    const r = await fetch(server.url, {
      method: 'OPTIONS',
      headers: {
        origin: PAGE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, mcp-session-id, mcp-param-region',
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(r.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE');
    expect(r.headers.get('access-control-allow-headers')).toBe(
      'content-type, mcp-session-id, mcp-param-region',
    );
    expect(r.headers.get('vary')).toContain('Origin');
  });

  it('lets the page read the session id, and a 404 for a lost session', async () => {
    const r = await fetch(server.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, origin: PAGE },
      body: JSON.stringify(INITIALIZE),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(r.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    expect(r.headers.get('mcp-session-id')).toBeTruthy();
    await r.text();
    const lost = await fetch(server.url, {
      method: 'POST',
      headers: {
        ...JSON_HEADERS,
        origin: PAGE,
        'mcp-session-id': 'gone',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    expect(lost.status).toBe(404);
    expect(lost.headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it('gives a foreign origin neither a preflight nor CORS headers, and names allowedOrigins', async () => {
    const pre = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(await pre.text()).toContain('allowedOrigins');
    const post = await fetch(server.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, origin: 'https://evil.example' },
      body: JSON.stringify(INITIALIZE),
    });
    expect(post.status).toBe(403);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('falls back to a fixed header list when the requested one is malformed or huge', async () => {
    for (const asked of ['content-type, <script>', `x-${'a'.repeat(3000)}`]) {
      const r = await fetch(server.url, {
        method: 'OPTIONS',
        headers: {
          origin: PAGE,
          'access-control-request-method': 'POST',
          'access-control-request-headers': asked,
        },
      });
      expect(r.status).toBe(204);
      expect(r.headers.get('access-control-allow-headers')).toContain('Mcp-Session-Id');
      expect(r.headers.get('access-control-allow-headers')).not.toContain('<script>');
    }
  });

  it('leaves CORS to a proxy with cors: false', async () => {
    const bare = await httpServer({ allowedOrigins: [PAGE], cors: false });
    try {
      const r = await fetch(bare.url, { method: 'OPTIONS', headers: { origin: PAGE } });
      expect(r.status).toBe(405);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await bare.close();
    }
  });
});
