import { describe, expect, it } from 'vitest';
import { discoverResource, findAuthorizationServer, resourceCovers } from './discovery.js';

/** A metadata document that never ends. */
function endless(): Response {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(first ? new TextEncoder().encode('{"resource":"') : chunk);
      first = false;
    },
  });
  return new Response(body, { headers: { 'content-type': 'application/json' } });
}

describe('OAuth discovery against a hostile resource server', () => {
  it('bounds OAuth documents: endless resource metadata is no metadata, not an exhausted client', async () => {
    const served: string[] = [];
    const hostileFetch = (async (url: string | URL) => {
      served.push(String(url));
      return endless();
    }) as typeof fetch;
    const found = await discoverResource(
      hostileFetch,
      'https://mcp.example/mcp',
      'https://evil.example/meta',
    );
    expect(found).toBeUndefined();
    // Each candidate was read and given up on, the challenge's first.
    expect(served[0]).toBe('https://evil.example/meta');
    expect(served).toHaveLength(3);
  });

  it('reads a resource URL of a million slashes at once (a backtracking //+$/ took minutes)', async () => {
    const resource = `https://mcp.example/${'/'.repeat(1_000_000)}x`;
    const metadataFetch = (async () =>
      Response.json({ resource, authorization_servers: ['https://as.example'] })) as typeof fetch;
    // Not the server's resource: refused, and quickly (the test would time out otherwise).
    expect(resourceCovers(resource, 'https://mcp.example/mcp')).toBe(false);
    expect(resourceCovers(`https://mcp.example${'/'.repeat(1_000_000)}`, 'https://mcp.example/mcp')).toBe(
      true,
    );
    await expect(
      findAuthorizationServer(metadataFetch, 'https://mcp.example/mcp', undefined),
    ).rejects.toThrow(/protected resource metadata is for/);
  });
});
