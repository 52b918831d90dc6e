import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { discovered } from '../../test/helpers/wire.js';
import { Peer } from '../engine/peer.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import { McpServer } from '../server/mcp-server.js';
import { createLinkedPair } from '../transports/memory/linked-pair.js';
import { Client, type ClientOptions } from './client.js';
import { ClientError } from './errors.js';
import { fillDefaults } from './input-handlers.js';

async function connected(server: McpServer, options: ClientOptions = {}) {
  const [a, b] = createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'unit', version: '1' }, options);
  await client.connect(b);
  return client;
}

/** A hand-written server on the other end of a memory pair, for answers no real server gives. */
async function fake(onRequest: (method: string, params: Record<string, any>) => Record<string, unknown>) {
  const [a, b] = createLinkedPair();
  await new Peer(a, {
    onRequest: async ({ message }) => onRequest(message.method, message.params ?? {}),
  }).start();
  return b;
}

/** A client connected to a 2025-11-25 server that answers each method with `results[method]`. */
async function answering(results: Record<string, Record<string, unknown>>) {
  const client = new Client({ name: 'unit', version: '1' }, { era: 'legacy' });
  await client.connect(
    await fake((method) => {
      if (method === 'initialize')
        return {
          protocolVersion: '2025-11-25',
          capabilities: { tools: {}, prompts: {}, resources: {} },
          serverInfo: { name: 'f', version: '1' },
        };
      const result = results[method];
      if (!result) throw new McpError(ErrorCode.MethodNotFound, 'no');
      return result;
    }),
  );
  return client;
}

describe('era negotiation', () => {
  it.each([
    ['auto', 'modern', '2026-07-28'],
    ['legacy', 'legacy', '2025-11-25'],
    ['modern', 'modern', '2026-07-28'],
  ] as const)('era %s gives %s', async (era, expected, revision) => {
    const client = await connected(new McpServer({ name: 's', version: '1' }), { era });
    expect([client.era, client.protocolVersion]).toEqual([expected, revision]);
  });

  it('can force a legacy revision', async () => {
    const client = await connected(new McpServer({ name: 's', version: '1' }), { revision: '2025-03-26' });
    expect([client.era, client.protocolVersion]).toEqual(['legacy', '2025-03-26']);
  });

  it('falls back to initialize when a server serves no modern revision', async () => {
    const client = await connected(new McpServer({ name: 's', version: '1' }, { modernRevisions: [] }));
    expect(client.era).toBe('legacy');
  });

  it('fails clearly when forced modern against a legacy-only server', async () => {
    const promise = connected(new McpServer({ name: 's', version: '1' }, { modernRevisions: [] }), {
      era: 'modern',
    });
    await expect(promise).rejects.toMatchObject({ kind: 'protocol-mismatch' });
  });

  it('refuses a server that answers initialize with a revision it does not speak', async () => {
    const transport = await fake((method) => {
      if (method === 'initialize')
        return { protocolVersion: '1999-01-01', capabilities: {}, serverInfo: { name: 'odd', version: '0' } };
      throw new McpError(ErrorCode.MethodNotFound, 'no');
    });
    const client = new Client({ name: 'unit', version: '1' }, { probeTimeoutMs: 200 });
    await expect(client.connect(transport)).rejects.toThrow(/speaks MCP 1999-01-01/);
  });
});

describe('MRTR loop', () => {
  function asking() {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool('forever', {}, async (_args, ctx) => {
      for (let i = 0; ; i++)
        await ctx.elicit({ message: `q${i}`, requestedSchema: { type: 'object', properties: {} } });
    });
    s.tool(
      'once',
      {},
      async (_args, ctx) =>
        (await ctx.elicit({ message: 'q', requestedSchema: { type: 'object', properties: {} } })).action,
    );
    return s;
  }

  it('stops after the configured rounds with a clear error', async () => {
    const client = await connected(asking(), {
      maxInputRounds: 3,
      elicit: async () => ({ action: 'accept', content: {} }),
    });
    const error = await client.callTool('forever').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({
      kind: 'too-many-rounds',
      message: 'tools/call still needed input after 3 rounds (maxInputRounds)',
    });
  });

  it('without an elicitation callback declares no capability, and the server says which one it needs', async () => {
    const client = await connected(asking());
    await expect(client.callTool('once')).rejects.toMatchObject({
      code: ErrorCode.MissingRequiredClientCapability,
    });
  });
});

describe('structured output validation', () => {
  const tool = {
    name: 't',
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
  };
  /** A connected client of a legacy server that lists `tools` and answers calls with `structuredContent`. */
  function listingTools(tools: unknown[], structuredContent: unknown) {
    return answering({ 'tools/list': { tools }, 'tools/call': { content: [], structuredContent } });
  }

  /** The same, listing one tool `t` with `outputSchema`, already listed. */
  async function listing(outputSchema: object, structuredContent: unknown) {
    const client = await listingTools([{ ...tool, outputSchema }], structuredContent);
    await client.listTools();
    return client;
  }

  it('refuses structuredContent that fails the listed outputSchema', async () => {
    const client = await listing(tool.outputSchema, { n: 'one' });
    await expect(client.callTool('t')).rejects.toMatchObject({ kind: 'invalid-output' });
  });

  it('accepts conforming output', async () => {
    const client = await listing(tool.outputSchema, { n: 1 });
    expect((await client.callTool('t')).structuredContent).toEqual({ n: 1 });
  });

  it('does not resolve remote $refs', async () => {
    const client = await listing({ $ref: 'https://example.invalid/schema.json' }, { anything: true });
    // The unresolvable schema disables validation for this tool; nothing is fetched.
    expect((await client.callTool('t')).structuredContent).toEqual({ anything: true });
  });

  it('runs no regular expression a server wrote (hardening: a crafted pattern froze the client)', async () => {
    // ^(a+)+$ against 32 a's and a ! took about 30 s of the only thread here, and doubles per a.
    const evil = { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } };
    const crafted = { s: `${'a'.repeat(32)}!` };
    expect((await (await listing(evil, crafted)).callTool('t')).structuredContent).toEqual(crafted);
    // patternProperties cannot be left out: the tool's output goes unchecked.
    const keyed = {
      type: 'object',
      patternProperties: { '^(a+)+$': { type: 'number' } },
      additionalProperties: false,
    };
    expect((await (await listing(keyed, { [crafted.s]: 'x' })).callTool('t')).structuredContent).toEqual({
      [crafted.s]: 'x',
    });
  });

  it('leaves out listed items that are not tools instead of failing on them', async () => {
    const client = await listingTools([null, 'echo', [], { name: 5 }, tool], { n: 'one' });
    // The TypeError ("reading 'outputSchema'") is gone; { name: 5 } is no tool of the revision either.
    expect((await client.listTools()).items).toEqual([tool]);
    // The real tool's schema was learnt all the same.
    await expect(client.callTool('t')).rejects.toMatchObject({ kind: 'invalid-output' });
  });

  it('still checks everything else, a property called "pattern" included', async () => {
    const schema = {
      type: 'object',
      properties: { pattern: { type: 'string', pattern: '^x$' }, n: { type: 'number' } },
      required: ['pattern', 'n'],
    };
    const client = await listing(schema, { pattern: 'not x', n: 'one' });
    await expect(client.callTool('t')).rejects.toMatchObject({
      kind: 'invalid-output',
      message: expect.stringMatching(/\/n/),
    });
    const missing = await listing(schema, { n: 1 });
    await expect(missing.callTool('t')).rejects.toMatchObject({
      kind: 'invalid-output',
      message: expect.stringMatching(/pattern/),
    });
  });
});

describe('list cache', () => {
  function counting(options = {}) {
    const s = new McpServer({ name: 's', version: '1' }, options);
    s.tool('a', {}, () => '');
    const calls: string[] = [];
    s.use(async (ctx, next) => {
      calls.push(ctx.method);
      return next();
    });
    return { s, lists: () => calls.filter((m) => m === 'tools/list').length };
  }

  it('keeps a modern list for its ttlMs', async () => {
    const { s, lists } = counting({ cache: { ttlMs: 60_000, scope: 'public' } });
    const client = await connected(s);
    await client.allTools();
    await client.allTools();
    expect(lists()).toBe(1);
  });

  it('does not keep a modern list with ttlMs 0', async () => {
    const { s, lists } = counting();
    const client = await connected(s);
    await client.allTools();
    await client.allTools();
    expect(lists()).toBe(2);
  });

  it('keeps a legacy list until the server says it changed', async () => {
    const { s, lists } = counting();
    const client = await connected(s, { era: 'legacy' });
    await client.allTools();
    await client.allTools();
    expect(lists()).toBe(1);
    const changed = new Promise<void>((resolve) => client.on('toolsChanged', resolve));
    s.tool('b', {}, () => '');
    await changed;
    expect((await client.allTools()).map((t) => t.name)).toEqual(['a', 'b']);
    expect(lists()).toBe(2);
  });
});

describe('callbacks', () => {
  it('fills elicitation defaults for fields left out, only on accept', () => {
    const params = {
      message: 'm',
      requestedSchema: {
        type: 'object' as const,
        properties: {
          a: { type: 'string' as const, default: 'x' },
          b: { type: 'number' as const, default: 2 },
          c: { type: 'boolean' as const },
        },
      },
    };
    expect(fillDefaults(params, { action: 'accept', content: { a: 'given' } })).toEqual({
      action: 'accept',
      content: { a: 'given', b: 2 },
    });
    expect(fillDefaults(params, { action: 'decline' })).toEqual({ action: 'decline' });
  });

  it('serves legacy server-to-client requests with the same callbacks', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool('who', { input: z.object({}) }, async (_a, ctx) => {
      const roots = await ctx.roots();
      const answer = await ctx.sample({ messages: [], maxTokens: 1 });
      return `${roots.length}:${answer.model}`;
    });
    const client = await connected(s, {
      era: 'legacy',
      roots: [{ uri: 'file:///a' }, { uri: 'file:///b' }],
      sample: async () => ({ role: 'assistant', model: 'm', content: { type: 'text', text: '' } }),
    });
    expect((await client.callTool('who')).content).toEqual([{ type: 'text', text: '2:m' }]);
  });
});

describe('listing guards (hardening: all* paged forever on a repeated cursor)', () => {
  function paging(nextCursor: (call: number) => string) {
    let calls = 0;
    const server = new McpServer({ name: 'pager', version: '1' });
    server.tool('t', {}, () => 'x');
    server.use(async (ctx, next) => {
      if (ctx.method !== 'tools/list') return next();
      calls++;
      return {
        tools: [{ name: `t${calls}`, inputSchema: { type: 'object' } }],
        nextCursor: nextCursor(calls),
      };
    });
    return { server, calls: () => calls };
  }

  it.each(['legacy', 'modern'] as const)(
    '%s: allTools, allPrompts and the iterators stop at a repeated cursor',
    async (era) => {
      const { server, calls } = paging(() => 'same');
      const client = await connected(server, { era });
      await expect(client.allTools()).rejects.toThrow(/repeated a pagination cursor/);
      expect(calls()).toBe(2);
      const iterated: string[] = [];
      await expect(
        (async () => {
          for await (const tool of client.tools()) iterated.push(tool.name);
        })(),
      ).rejects.toThrow(/repeated/);
      expect(iterated).toEqual(['t3', 't4']);
    },
  );

  it('stops a listing that never ends at maxListPages, naming the option', async () => {
    const { server, calls } = paging((n) => `c${n}`);
    const client = await connected(server, { maxListPages: 5 });
    await expect(client.allTools()).rejects.toThrow(/maxListPages/);
    expect(calls()).toBe(5);
  });
});

describe('following a task a server misreports (hardening)', () => {
  const DISCOVERED = discovered('tasks');
  const working = (extra: Record<string, unknown>) => ({
    taskId: 't1',
    status: 'working',
    createdAt: new Date().toISOString(),
    lastUpdatedAt: new Date().toISOString(),
    ttlMs: 60_000,
    ...extra,
  });

  it.each([0, -5])('polls at a bounded pace when the server suggests pollIntervalMs %d', async (interval) => {
    let polls = 0;
    const transport = await fake((method) => {
      if (method === 'server/discover') return DISCOVERED;
      if (method === 'tools/call') return { resultType: 'task', ...working({ pollIntervalMs: interval }) };
      if (method === 'tasks/get')
        return ++polls < 3
          ? working({ pollIntervalMs: interval })
          : { ...working({}), status: 'completed', result: { content: [{ type: 'text', text: 'done' }] } };
      return {};
    });
    const client = new Client({ name: 'unit', version: '1' }, { era: 'modern' });
    await client.connect(transport);
    const call = client.callTool('slow');
    // It polled in a busy loop: thousands of tasks/get before the first 50 ms were over.
    await new Promise((r) => setTimeout(r, 50));
    expect(polls).toBe(0);
    expect(await call).toMatchObject({ content: [{ text: 'done' }] });
    expect(polls).toBe(3);
  });

  it('waits out a huge pollIntervalMs (a timer past 2^31 ms fired at once) until the caller aborts', async () => {
    let polls = 0;
    let cancelled = false;
    const transport = await fake((method) => {
      if (method === 'server/discover') return DISCOVERED;
      if (method === 'tools/call') return { resultType: 'task', ...working({ pollIntervalMs: 1e12 }) };
      if (method === 'tasks/get') polls++;
      if (method === 'tasks/cancel') cancelled = true;
      return working({ pollIntervalMs: 1e12 });
    });
    const client = new Client({ name: 'unit', version: '1' }, { era: 'modern' });
    await client.connect(transport);
    const abort = new AbortController();
    const call = client.callTool('slow', {}, { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 200));
    expect(polls).toBe(0);
    abort.abort(new Error('the caller gave up'));
    await expect(call).rejects.toThrow('the caller gave up');
    expect(cancelled).toBe(true);
  });

  it('gives up after maxInputRounds when a task asks for new input on every poll, and cancels it', async () => {
    let asked = 0;
    let cancelled = false;
    const transport = await fake((method) => {
      if (method === 'server/discover') return DISCOVERED;
      if (method === 'tools/call') return { resultType: 'task', ...working({ pollIntervalMs: 100 }) };
      if (method === 'tasks/cancel') cancelled = true;
      if (method === 'tasks/get') {
        asked++;
        const key = `q${asked}`;
        return {
          ...working({}),
          status: 'input_required',
          inputRequests: {
            [key]: {
              method: 'elicitation/create',
              params: { message: key, requestedSchema: { type: 'object', properties: {} } },
            },
          },
        };
      }
      return {};
    });
    const client = new Client(
      { name: 'unit', version: '1' },
      { era: 'modern', maxInputRounds: 2, elicit: async () => ({ action: 'accept', content: {} }) },
    );
    await client.connect(transport);
    await expect(client.callTool('asks')).rejects.toMatchObject({
      kind: 'too-many-rounds',
      message: 'Task t1 still needed input after 2 rounds (maxInputRounds)',
    });
    expect(asked).toBe(3);
    expect(cancelled).toBe(true);
  });
});

describe('progress that never ends (hardening: it held a call for ever)', () => {
  function chatty() {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool('forever', {}, async (_args, ctx) => {
      for (let i = 0; !ctx.signal.aborted; i++) {
        await ctx.progress(i);
        await new Promise((r) => setTimeout(r, 10));
      }
      return 'never';
    });
    return s;
  }

  it.each(['legacy', 'modern'] as const)(
    'ends a %s call at maxTotalTimeoutMs, however often progress comes',
    async (era) => {
      const client = await connected(chatty(), { era });
      let reports = 0;
      const call = client.callTool(
        'forever',
        {},
        {
          timeoutMs: 100,
          maxTotalTimeoutMs: 300,
          onProgress: () => reports++,
        },
      );
      await expect(call).rejects.toMatchObject({
        code: ErrorCode.RequestTimeout,
        message: expect.stringMatching(/after 300 ms in all, progress notwithstanding \(maxTotalTimeoutMs\)/),
      });
      // Progress kept coming well past the 100 ms timeout: only the total ended the call.
      expect(reports).toBeGreaterThan(3);
    },
  );

  it('defaults the total to ten times the timeout', async () => {
    const client = await connected(chatty(), { era: 'legacy' });
    await expect(
      client.callTool('forever', {}, { timeoutMs: 40, onProgress: () => {} }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/after 400 ms in all/),
    });
  });
});

describe('results held to the negotiated revision (hardening: content null reached the caller)', () => {
  it('fails a result that breaks what the typed call promises, saying where', async () => {
    const client = await answering({
      'tools/call': { content: null },
      'prompts/get': { description: 'no messages' },
      'resources/read': { contents: [{ uri: 7 }] },
    });
    await expect(client.callTool('t')).rejects.toMatchObject({
      kind: 'invalid-result',
      message: expect.stringMatching(/tools\/call result does not fit revision 2025-11-25: content/),
    });
    await expect(client.getPrompt('p')).rejects.toMatchObject({
      kind: 'invalid-result',
      message: expect.stringMatching(/messages/),
    });
    await expect(client.readResource('r://x')).rejects.toMatchObject({
      kind: 'invalid-result',
      message: expect.stringMatching(/contents\.0/),
    });
  });

  it('passes a conforming result on as sent, fields it does not know included', async () => {
    const client = await answering({
      'tools/call': { content: [{ type: 'text', text: 'hi' }], vendorField: { kept: true } },
    });
    expect(await client.callTool('t')).toEqual({
      content: [{ type: 'text', text: 'hi' }],
      vendorField: { kept: true },
    });
  });
});
