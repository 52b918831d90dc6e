import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from '@modelcontextprotocol/client';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serveHttp } from '../src/adapters/index.js';
import { ApiKeys, anyOf, bearerAuth, Rbac } from '../src/auth/index.js';
import { jwtProvider } from '../src/auth/jwt/index.js';
import { META, TASKS_EXTENSION } from '../src/protocol/meta.js';
import { McpServer } from '../src/server/index.js';
import { createLegacySseHandler, createStreamableHttpHandler } from '../src/transports/index.js';
import { JSON_HEADERS } from './helpers/http.js';

// A protected mcpkit server over real HTTP: JWTs signed here and verified against a JWKS served
// on its own port, API keys, RBAC, and the bindings of sessions, tasks and MRTR state to callers.

const ISSUER = 'https://issuer.example';
let signing: CryptoKey;
let jwks: { keys: JWK[] };
let jwksFetches = 0;
let jwksServer: Server;
let mcp: { url: string; close(): Promise<void> };
let handlerClose: () => Promise<void>;
const keys = new ApiKeys();
let adminKey: string;
let revokedKey: string;

async function token(
  claims: Record<string, unknown> = {},
  options: { kid?: string; key?: CryptoKey; alg?: string } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: 'mcp:read', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'k1' })
    .setIssuer((claims.iss as string) ?? ISSUER)
    .setAudience((claims.aud as string) ?? mcp.url)
    .setSubject((claims.sub as string) ?? 'alice')
    .setIssuedAt(now)
    .setExpirationTime((claims.exp as number) ?? now + 600)
    .sign(options.key ?? signing);
}

function makeServer(): McpServer {
  const server = new McpServer({ name: 'protected', version: '1' });
  server.tool('whoami', {}, (_args, ctx) => `${ctx.auth?.subject} via ${ctx.auth?.method}`);
  server.tool('search', { input: z.object({ q: z.string() }) }, ({ q }) => `found ${q}`);
  server.tool('delete_all', {}, () => 'deleted');
  server.tool('ask', {}, async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: 'sure?',
      requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
    });
    return `answered ${answer.action}`;
  });
  server.tool('job', { task: 'optional' }, (_args, ctx) => ctx.task(async () => 'job done'));
  server.tool('export', { scopes: ['data:export'] }, () => 'exported');
  const rbac = new Rbac({
    roles: {
      reader: { allow: ['tools:whoami', 'tools:search', 'tools:ask', 'tools:job', 'tools:export'] },
      admin: { inherits: ['reader'], allow: ['tools:*'] },
    },
    scopeRoles: { 'mcp:read': ['reader'], 'mcp:admin': ['admin'] },
  });
  server.use(rbac.middleware());
  return server;
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signing = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' }] };
  jwksServer = createServer((_req, res) => {
    jwksFetches++;
    res.setHeader('content-type', 'application/json').end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  adminKey = (await keys.create({ subject: 'ops', roles: ['admin'] })).key;
  revokedKey = (await keys.create({ subject: 'old', roles: ['admin'] })).key;
  await keys.revoke(revokedKey);
  // The resource URL must be known before the port is: take a free one first.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const resource = `http://127.0.0.1:${port}/mcp`;
  const auth = bearerAuth({
    resource,
    authorizationServers: [ISSUER],
    scopes: ['mcp:read'],
    provider: anyOf(
      jwtProvider({
        issuer: ISSUER,
        audience: resource,
        jwksUrl,
        jwksRefetchMs: 0,
        cache: { negativeTtlMs: 0 },
      }),
      keys.provider,
    ),
  });
  const server = makeServer();
  const handler = createStreamableHttpHandler(server, { auth });
  const legacySse = createLegacySseHandler(server, { auth });
  handlerClose = async () => {
    await handler.close();
    await legacySse.close();
  };
  const http = await serveHttp(handler, {
    port,
    routes: { ...auth.routes, '/sse': legacySse, '/messages': legacySse },
  });
  mcp = { url: http.url, close: () => http.close() };
}, 30_000);

afterAll(async () => {
  await handlerClose?.();
  await mcp?.close();
  jwksServer?.close();
});

const modernMeta = (capabilities: Record<string, unknown> = {}) => ({
  [META.protocolVersion]: '2026-07-28',
  [META.clientCapabilities]: capabilities,
  [META.clientInfo]: { name: 'raw', version: '1' },
});

async function call(
  credential: string | undefined,
  method: string,
  params: Record<string, unknown> = {},
  extra: { capabilities?: Record<string, unknown>; name?: string; header?: string } = {},
) {
  const headers: Record<string, string> = {
    ...JSON_HEADERS,
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': method,
    ...(extra.name ? { 'mcp-name': extra.name } : {}),
  };
  if (credential)
    headers[extra.header ?? 'authorization'] = extra.header ? credential : `Bearer ${credential}`;
  const r = await fetch(mcp.url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method,
      params: { ...params, _meta: modernMeta(extra.capabilities) },
    }),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
}

const callTool = (
  credential: string | undefined,
  name: string,
  args: Record<string, unknown> = {},
  extra = {},
) => call(credential, 'tools/call', { name, arguments: args }, { name, ...extra });

describe('protected resource: challenge and metadata', () => {
  it('answers a request without a token with 401 naming its metadata, which it serves', async () => {
    const r = await callTool(undefined, 'whoami');
    expect(r.status).toBe(401);
    const metadataUrl = mcp.url.replace('/mcp', '/.well-known/oauth-protected-resource/mcp');
    expect(r.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${metadataUrl}", scope="mcp:read"`,
    );
    const metadata = await (await fetch(metadataUrl)).json();
    expect(metadata).toEqual({
      resource: mcp.url,
      authorization_servers: [ISSUER],
      scopes_supported: ['mcp:read'],
      bearer_methods_supported: ['header'],
    });
  });

  it('serves a valid JWT and shows the caller as ctx.auth', async () => {
    const r = await callTool(await token(), 'whoami');
    expect(r.status).toBe(200);
    expect(r.body.result.content).toEqual([{ type: 'text', text: 'alice via jwt' }]);
  });

  it.each([
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 120 }, 'the token expired'],
    ['a wrong audience', { aud: 'https://other.example/mcp' }, `the token's aud claim is not accepted`],
    ['a wrong issuer', { iss: 'https://evil.example' }, `the token's iss claim is not accepted`],
  ])('refuses %s with 401 invalid_token', async (_what, claims, reason) => {
    const r = await callTool(await token(claims), 'whoami');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(r.body.error_description).toContain(reason);
  });

  it('refuses alg none and a forged signature', async () => {
    const header = btoa(JSON.stringify({ alg: 'none', kid: 'k1' })).replace(/=+$/, '');
    const payload = btoa(
      JSON.stringify({ sub: 'alice', iss: ISSUER, aud: mcp.url, exp: Math.floor(Date.now() / 1000) + 600 }),
    ).replace(/=+$/, '');
    const unsigned = await callTool(`${header}.${payload}.`, 'whoami');
    expect(unsigned.status).toBe(401);
    const forger = await generateKeyPair('RS256');
    const forged = await callTool(await token({}, { key: forger.privateKey }), 'whoami');
    expect(forged.status).toBe(401);
    expect(forged.body.error_description).toBe("the token's signature does not verify");
  });

  it('refetches the JWKS once for an unknown kid, then refuses; a rotated key is then accepted', async () => {
    const rotated = await generateKeyPair('RS256');
    const before = jwksFetches;
    const unknown = await callTool(await token({}, { kid: 'k2', key: rotated.privateKey }), 'whoami');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error_description).toBe('no key of the issuer matches the token');
    expect(jwksFetches - before).toBe(1);
    jwks.keys.push({ ...(await exportJWK(rotated.publicKey)), kid: 'k2', alg: 'RS256' });
    const accepted = await callTool(
      await token({ sub: 'rotated' }, { kid: 'k2', key: rotated.privateKey }),
      'whoami',
    );
    expect(accepted.body.result.content).toEqual([{ type: 'text', text: 'rotated via jwt' }]);
  });

  it('takes API keys as Bearer or X-API-Key, and refuses a revoked one', async () => {
    const bearer = await callTool(adminKey, 'whoami');
    expect(bearer.body.result.content[0].text).toBe('ops via api-key');
    const header = await callTool(adminKey, 'whoami', {}, { header: 'x-api-key' });
    expect(header.body.result.content[0].text).toBe('ops via api-key');
    const revoked = await callTool(revokedKey, 'whoami');
    expect(revoked.status).toBe(401);
    expect(revoked.body.error_description).toBe('the API key was revoked');
  });
});

describe('RBAC', () => {
  it('lists only the tools a role grants and refuses the others with -32003', async () => {
    const reader = await token();
    const listed = await call(reader, 'tools/list');
    expect(listed.body.result.tools.map((t: { name: string }) => t.name).sort()).toEqual([
      'ask',
      'job',
      'search',
      'whoami',
    ]);
    const denied = await callTool(reader, 'delete_all');
    // A scope would grant it: 403 with a step-up challenge naming that scope.
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="mcp:admin", resource_metadata="${mcp.url.replace('/mcp', '/.well-known/oauth-protected-resource/mcp')}"`,
    );
    expect(denied.body.error).toMatchObject({
      code: -32003,
      message: "Forbidden: the caller's roles do not allow tools:delete_all",
      data: { permission: 'tools:delete_all', requiredScopes: ['mcp:admin'] },
    });
    const admin = await callTool(await token({ scope: 'mcp:admin' }), 'delete_all');
    expect(admin.body.result.content[0].text).toBe('deleted');
    const allTools = await call(adminKey, 'tools/list');
    expect(allTools.body.result.tools).toHaveLength(5);
  });

  it('hides a tool whose registered scopes the caller lacks, and refuses it with a step-up challenge', async () => {
    const without = await token();
    const listed = await call(without, 'tools/list');
    expect(listed.body.result.tools.map((t: { name: string }) => t.name)).not.toContain('export');
    const refused = await callTool(without, 'export');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain(
      'error="insufficient_scope", scope="data:export"',
    );
    expect(refused.body.error).toMatchObject({
      code: -32003,
      message: 'Forbidden: tool export needs the scope data:export',
    });
    const granted = await callTool(await token({ scope: 'mcp:read data:export' }), 'export');
    expect(granted.body.result.content[0].text).toBe('exported');
  });

  it('answers a legacy session request refused for want of a scope with 403 insufficient_scope too', async () => {
    /** A legacy session for `credential`; returns how to send one request in it. */
    async function legacySession(credential: string) {
      const headers = { ...JSON_HEADERS, authorization: `Bearer ${credential}` };
      const init = await fetch(mcp.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-11-25',
            capabilities: {},
            clientInfo: { name: 'r', version: '1' },
          },
        }),
      });
      await init.text();
      const session = {
        ...headers,
        'mcp-session-id': init.headers.get('mcp-session-id') as string,
        'mcp-protocol-version': '2025-11-25',
      };
      return (name: string) =>
        fetch(mcp.url, {
          method: 'POST',
          headers: session,
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 2,
            method: 'tools/call',
            params: { name, arguments: {} },
          }),
        });
    }
    const denied = await (await legacySession(await token()))('delete_all');
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="mcp:admin"');
    expect(((await denied.json()) as { error: { code: number } }).error.code).toBe(-32003);
    // A refusal no scope would lift stays a JSON-RPC answer with 200.
    const unknown = await (await legacySession(adminKey))('no_such_tool');
    expect(unknown.status).toBe(200);
    expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(-32602);
  });

  it('refuses a role cycle and an unknown role at construction', () => {
    expect(() => new Rbac({ roles: { a: { inherits: ['b'] }, b: { inherits: ['a'] } } })).toThrow(
      'Rbac: role inheritance cycle a -> b -> a',
    );
    expect(() => new Rbac({ roles: { a: { inherits: ['ghost'] } } })).toThrow(
      'Rbac: unknown role "ghost" (inherited by a)',
    );
  });
});

describe('bindings to the principal', () => {
  it("refuses another principal's legacy session as unknown", async () => {
    const alice = await token();
    const init = await fetch(mcp.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, authorization: `Bearer ${alice}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'a', version: '1' } },
      }),
    });
    const sid = init.headers.get('mcp-session-id') as string;
    await init.text();
    const ping = (credential: string) =>
      fetch(mcp.url, {
        method: 'POST',
        headers: {
          ...JSON_HEADERS,
          authorization: `Bearer ${credential}`,
          'mcp-session-id': sid,
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
      });
    expect((await ping(alice)).status).toBe(200);
    const bob = await ping(await token({ sub: 'bob' }));
    expect(bob.status).toBe(404);
    const del = await fetch(mcp.url, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await token({ sub: 'bob' })}`, 'mcp-session-id': sid },
    });
    expect(del.status).toBe(404);
    expect((await ping(alice)).status).toBe(200);
  });

  it("shows another principal's task as unknown", async () => {
    const tasks = { extensions: { [TASKS_EXTENSION]: {} } };
    const created = await callTool(await token(), 'job', {}, { capabilities: tasks });
    expect(created.body.error).toBeUndefined();
    const taskId = created.body.result.taskId as string;
    expect(created.body.result).not.toHaveProperty('owner');
    const mine = await call(await token(), 'tasks/get', { taskId }, { capabilities: tasks, name: taskId });
    expect(mine.body.error).toBeUndefined();
    expect(mine.body.result.taskId).toBe(taskId);
    expect(mine.body.result).not.toHaveProperty('owner');
    const theirs = await call(
      await token({ sub: 'bob' }),
      'tasks/get',
      { taskId },
      { capabilities: tasks, name: taskId },
    );
    expect(theirs.body.error).toMatchObject({ code: -32602, message: `Unknown task: ${taskId}` });
  });

  it("refuses another principal's MRTR requestState", async () => {
    const elicitation = { elicitation: { form: {} } };
    const first = await callTool(await token(), 'ask', {}, { capabilities: elicitation });
    expect(first.body.result.resultType).toBe('input_required');
    const { requestState, inputRequests } = first.body.result;
    const key = Object.keys(inputRequests)[0] as string;
    const retry = (credential: string) =>
      call(
        credential,
        'tools/call',
        {
          name: 'ask',
          arguments: {},
          requestState,
          inputResponses: { [key]: { action: 'accept', content: { ok: true } } },
        },
        { name: 'ask', capabilities: elicitation },
      );
    const stolen = await retry(await token({ sub: 'bob' }));
    expect(stolen.body.error).toMatchObject({
      code: -32602,
      message: 'Invalid requestState: issued for a different request',
    });
    const own = await retry(await token());
    expect(own.body.result.content).toEqual([{ type: 'text', text: 'answered accept' }]);
  });
});

describe('the 2024-11-05 HTTP+SSE transport behind the same auth', () => {
  it('refuses a stream without a token, and a message from another principal on its session', async () => {
    const base = mcp.url.replace('/mcp', '');
    expect((await fetch(`${base}/sse`, { headers: { accept: 'text/event-stream' } })).status).toBe(401);
    const alice = await token();
    const stream = await fetch(`${base}/sse`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${alice}` },
    });
    expect(stream.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('sessionId=')) text += new TextDecoder().decode((await reader.read()).value);
    const endpoint = /data: (\S+)/.exec(text)?.[1] as string;
    const post = (credential: string) =>
      fetch(`${base}${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
    expect((await post(await token({ sub: 'bob' }))).status).toBe(404);
    expect((await post(alice)).status).toBe(202);
    await reader.cancel();
  });
});

describe('the official v2 client against the protected server', () => {
  it('is refused without a token and served with one', async () => {
    const anonymous = new V2Client({ name: 'v2', version: '1' });
    await expect(anonymous.connect(new V2Transport(new URL(mcp.url)))).rejects.toThrow();
    const client = new V2Client({ name: 'v2', version: '1' });
    await client.connect(
      new V2Transport(new URL(mcp.url), {
        requestInit: { headers: { authorization: `Bearer ${adminKey}` } },
      }),
    );
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'ops via api-key' }]);
    await client.close();
  });
});
