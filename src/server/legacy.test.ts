import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { initialized, wire } from '../../test/helpers/wire.js';
import { ErrorCode } from '../protocol/errors.js';
import { McpServer } from './mcp-server.js';

function server() {
  const s = new McpServer({ name: 'test', version: '1.0.0', title: 'Test' }, { instructions: 'be nice' });
  s.tool(
    'add',
    {
      title: 'Add',
      input: z.object({ a: z.number(), b: z.number() }),
      output: z.object({ sum: z.number() }),
      annotations: { readOnlyHint: true },
      icons: [{ src: 'https://example.com/i.png' }],
    },
    ({ a, b }) => ({ structuredContent: { sum: a + b } }),
  );
  return s;
}

describe('legacy lifecycle: initialize', () => {
  it.each(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'])(
    'accepts revision %s as requested',
    async (revision) => {
      const { response } = await initialized(server(), revision);
      expect(response.result).toMatchObject({
        protocolVersion: revision,
        serverInfo: { name: 'test', version: '1.0.0' },
        capabilities: { tools: { listChanged: true }, logging: {} },
        instructions: 'be nice',
      });
    },
  );

  it('counter-proposes its newest legacy revision for an unknown one', async () => {
    const { response } = await initialized(server(), '1999-01-01');
    expect(response.result.protocolVersion).toBe('2025-11-25');
  });

  it('refuses requests before initialize, but answers ping', async () => {
    const w = await wire(server());
    expect((await w.request('tools/list')).error).toMatchObject({ code: ErrorCode.InvalidRequest });
    expect((await w.request('ping')).result).toEqual({});
  });

  it('serves requests sent before notifications/initialized', async () => {
    const w = await wire(server());
    await w.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'c', version: '1' },
    });
    expect((await w.request('tools/list')).result.tools).toHaveLength(1);
  });

  it("keeps at most limits.maxClientStateBytes of the client's capabilities and clientInfo", async () => {
    const bulky = { experimental: { blob: { text: 'x'.repeat(70_000) } } };
    const refused = await initialized(server(), '2025-11-25', bulky);
    expect(refused.response.error).toMatchObject({
      code: ErrorCode.InvalidParams,
      data: { limit: 'maxClientStateBytes' },
    });
    expect(refused.response.error.message).toMatch(/limits\.maxClientStateBytes/);
    // No session was opened: a smaller declaration still initializes.
    const retried = await refused.request('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'c', version: '1' },
    });
    expect(retried.result.protocolVersion).toBe('2025-11-25');
    const roomy = new McpServer(
      { name: 'roomy', version: '1' },
      { limits: { maxClientStateBytes: 100_000 } },
    );
    expect((await initialized(roomy, '2025-11-25', bulky)).response.result.protocolVersion).toBe(
      '2025-11-25',
    );
  });

  it('refuses a second initialize', async () => {
    const w = await initialized(server());
    const again = await w.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'c', version: '1' },
    });
    expect(again.error.code).toBe(ErrorCode.InvalidRequest);
  });

  it('answers invalid initialize params with -32602, and can still initialize after', async () => {
    const w = await wire(server());
    expect((await w.request('initialize', { protocolVersion: 5 })).error.code).toBe(ErrorCode.InvalidParams);
    const ok = await w.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'c', version: '1' },
    });
    expect(ok.result.protocolVersion).toBe('2025-06-18');
  });
});

describe('legacy errors', () => {
  it('an unknown method is -32601', async () => {
    const w = await initialized(server());
    expect((await w.request('nope/nothing')).error.code).toBe(ErrorCode.MethodNotFound);
  });

  it('a modern-only method is not served on a legacy session', async () => {
    const w = await initialized(server());
    expect((await w.request('subscriptions/listen', { notifications: {} })).error.code).toBe(
      ErrorCode.MethodNotFound,
    );
  });

  it('invalid params are -32602 with the offending path', async () => {
    const w = await initialized(server());
    const r = await w.request('tools/call', { name: 7 });
    expect(r.error.code).toBe(ErrorCode.InvalidParams);
    expect(r.error.message).toMatch(/name/);
  });

  it('invalid tool input is -32602 before 2025-11-25 and a tool error result from it on (SEP-1303)', async () => {
    const old = await initialized(server(), '2025-06-18');
    expect((await old.request('tools/call', { name: 'add', arguments: { a: 'x', b: 1 } })).error.code).toBe(
      ErrorCode.InvalidParams,
    );
    const current = await initialized(server(), '2025-11-25');
    const r = await current.request('tools/call', { name: 'add', arguments: { a: 'x', b: 1 } });
    expect(r.result.isError).toBe(true);
  });

  it('refuses messages over the configured size limit and serves the next one', async () => {
    const s = new McpServer({ name: 'small', version: '1' }, { limits: { maxMessageLength: 300 } });
    s.tool('echo', {}, () => 'ok');
    const w = await initialized(s);
    await w.send({
      jsonrpc: '2.0',
      id: 'big',
      method: 'tools/call',
      params: { name: 'echo', arguments: { pad: 'x'.repeat(400) } },
    });
    // Refused unparsed, but the id at the frame's start still names the request refused.
    const refused = await w.waitFor((m) => m.id === 'big' && m.error);
    expect(refused.error).toEqual({
      code: ErrorCode.InvalidRequest,
      message: 'Message exceeds 300 characters (maxMessageLength)',
    });
    expect((await w.request('tools/call', { name: 'echo' })).result.content).toEqual([
      { type: 'text', text: 'ok' },
    ]);
  });

  it('keeps serving after garbage on the wire', async () => {
    const w = await initialized(server());
    await w.send('this is not json');
    await w.send('{"jsonrpc":"1.0","id":99,"method":"ping"}');
    expect((await w.request('ping')).result).toEqual({});
    expect(w.inbox.filter((m) => m.error).map((m) => [m.id, m.error.code])).toEqual([
      [null, ErrorCode.ParseError],
      [99, ErrorCode.InvalidRequest],
    ]);
  });
});

describe('batches (2025-03-26 only)', () => {
  const batch = JSON.stringify([
    { jsonrpc: '2.0', id: 'a', method: 'ping' },
    { jsonrpc: '2.0', id: 'b', method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } },
  ]);

  it('are answered as one array on 2025-03-26', async () => {
    const w = await initialized(server(), '2025-03-26');
    await w.send(batch);
    const answer = (await w.waitFor((m) => Array.isArray(m))) as unknown as Record<string, any>[];
    expect(answer.map((m) => m.id)).toEqual(['a', 'b']);
    expect(answer[1]!.result.content).toEqual([{ type: 'text', text: '{"sum":3}' }]);
  });

  it.each(['2024-11-05', '2025-06-18', '2025-11-25'])(
    'are refused with a clear error on %s',
    async (revision) => {
      const w = await initialized(server(), revision);
      await w.send(batch);
      const error = await w.waitFor((m) => m.id === null && m.error);
      expect(error.error).toMatchObject({
        code: ErrorCode.InvalidRequest,
        message: expect.stringContaining(revision),
      });
    },
  );

  it('may not carry initialize', async () => {
    const w = await initialized(server(), '2025-03-26');
    await w.send(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }]));
    const error = await w.waitFor((m) => m.id === null && m.error);
    expect(error.error.message).toMatch(/initialize must not be part of a batch/);
  });
});

describe('results are shaped to the negotiated revision', () => {
  it('2024-11-05 sees no title, outputSchema, icons, annotations or structuredContent', async () => {
    const w = await initialized(server(), '2024-11-05');
    const [tool] = (await w.request('tools/list')).result.tools;
    expect(Object.keys(tool).sort()).toEqual(['inputSchema', 'name']);
    const call = await w.request('tools/call', { name: 'add', arguments: { a: 1, b: 1 } });
    expect(call.result).toEqual({ content: [{ type: 'text', text: '{"sum":2}' }] });
  });

  it('2025-06-18 sees titles and structured output, but no icons', async () => {
    const w = await initialized(server(), '2025-06-18');
    const [tool] = (await w.request('tools/list')).result.tools;
    expect(tool).toMatchObject({
      title: 'Add',
      outputSchema: { type: 'object' },
      annotations: { readOnlyHint: true },
    });
    expect(tool.icons).toBeUndefined();
  });

  it('legacy results never carry modern-only fields', async () => {
    const w = await initialized(server());
    const list = (await w.request('tools/list')).result;
    expect(list).not.toHaveProperty('resultType');
    expect(list).not.toHaveProperty('ttlMs');
  });
});

describe('legacy resource subscriptions are bounded', () => {
  it('refuses a subscription past limits.maxSubscriptionsPerSession, naming it; repeats and unsubscribes count right', async () => {
    const s = new McpServer({ name: 'subs', version: '1' }, { limits: { maxSubscriptionsPerSession: 2 } });
    s.resource('note://a', { name: 'a' }, () => 'a');
    const w = await initialized(s);
    expect((await w.request('resources/subscribe', { uri: 'note://a' })).result).toEqual({});
    expect((await w.request('resources/subscribe', { uri: 'note://b' })).result).toEqual({});
    expect((await w.request('resources/subscribe', { uri: 'note://a' })).result).toEqual({}); // already held
    const refused = await w.request('resources/subscribe', { uri: 'note://c' });
    expect(refused.error.code).toBe(ErrorCode.Overloaded);
    expect(refused.error.message).toContain('limits.maxSubscriptionsPerSession');
    await w.request('resources/unsubscribe', { uri: 'note://b' });
    expect((await w.request('resources/subscribe', { uri: 'note://c' })).result).toEqual({});
  });

  it('refuses a URI too long to keep in the session', async () => {
    const w = await initialized(server());
    const refused = await w.request('resources/subscribe', { uri: `note://${'x'.repeat(9000)}` });
    expect(refused.error.code).toBe(ErrorCode.InvalidParams);
    expect(refused.error.message).toMatch(/too long to subscribe to \(9007 characters; at most 8192\)/);
  });
});
