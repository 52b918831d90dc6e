import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modern, wire } from '../../test/helpers/wire.js';
import { ErrorCode } from '../protocol/errors.js';
import { META } from '../protocol/meta.js';
import { McpServer } from './mcp-server.js';

const ELICIT = { elicitation: {} };
const form = (message: string) => ({
  message,
  requestedSchema: { type: 'object' as const, properties: { v: { type: 'string' as const } } },
});

function server(options = {}) {
  const s = new McpServer({ name: 'modern-test', version: '2.0.0' }, { instructions: 'hi', ...options });
  let runs = 0;
  s.tool('echo', { input: z.object({ text: z.string() }) }, ({ text }) => text);
  s.tool('two_questions', { input: z.object({ topic: z.string() }) }, async ({ topic }, ctx) => {
    runs++;
    const first = await ctx.elicit(form(`first about ${topic}`));
    const second = await ctx.elicit(form(`second after ${String(first.content?.v)}`));
    return `${String(first.content?.v)}+${String(second.content?.v)} in ${runs} runs`;
  });
  s.tool('parallel', {}, async (_args, ctx) => {
    const [a, b] = await Promise.all([ctx.elicit(form('a')), ctx.sample({ messages: [], maxTokens: 5 })]);
    return `${String(a.content?.v)}/${b.model}`;
  });
  s.tool('logs', {}, async (_args, ctx) => {
    await ctx.log.debug('quiet');
    await ctx.log.warning('loud');
    return 'logged';
  });
  s.resource('m://doc', { name: 'doc', cache: { ttlMs: 5000, scope: 'public' } }, () => 'text');
  s.prompt('p', { arguments: [{ name: 'x', required: true }] }, async ({ x }, ctx) => {
    const r = await ctx.elicit(form('confirm'));
    return [{ role: 'user', content: { type: 'text', text: `${x}:${r.action}` } }];
  });
  return s;
}

describe('per-request version and metadata (2026-07-28 versioning)', () => {
  it('server/discover names versions, capabilities, identity and instructions, with cache hints', async () => {
    const w = await wire(server());
    const r = (await w.request('server/discover', modern())).result;
    expect(r).toMatchObject({
      resultType: 'complete',
      supportedVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
      capabilities: { tools: { listChanged: true }, resources: { subscribe: true } },
      instructions: 'hi',
      _meta: { [META.serverInfo]: { name: 'modern-test', version: '2.0.0' } },
      ttlMs: 0,
      cacheScope: 'private',
    });
  });

  it('an unsupported version is -32022 naming the supported ones and the requested one', async () => {
    const w = await wire(server());
    const params = modern();
    params._meta[META.protocolVersion] = '1900-01-01';
    const r = await w.request('tools/list', params);
    expect(r.error).toEqual({
      code: ErrorCode.UnsupportedProtocolVersion,
      message: 'Unsupported protocol version',
      data: {
        supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'],
        requested: '1900-01-01',
      },
    });
  });

  it('missing client capabilities are -32602', async () => {
    const w = await wire(server());
    const r = await w.request('tools/list', { _meta: { [META.protocolVersion]: '2026-07-28' } });
    expect(r.error.code).toBe(ErrorCode.InvalidParams);
  });

  it('legacy-only methods do not exist in the modern era', async () => {
    const w = await wire(server());
    for (const method of ['ping', 'logging/setLevel', 'resources/subscribe']) {
      expect((await w.request(method, modern({ uri: 'x', level: 'info' }))).error.code).toBe(
        ErrorCode.MethodNotFound,
      );
    }
  });

  it('server/discover without _meta says what is missing', async () => {
    const w = await wire(server());
    expect((await w.request('server/discover')).error).toMatchObject({ code: ErrorCode.InvalidParams });
  });

  it('every result has resultType; cacheable ones carry ttlMs and cacheScope, per resource when set', async () => {
    const w = await wire(server({ cache: { ttlMs: 1000, scope: 'public' } }));
    expect((await w.request('tools/list', modern())).result).toMatchObject({
      resultType: 'complete',
      ttlMs: 1000,
      cacheScope: 'public',
    });
    expect((await w.request('resources/read', modern({ uri: 'm://doc' }))).result).toMatchObject({
      ttlMs: 5000,
      cacheScope: 'public',
    });
    const call = (await w.request('tools/call', modern({ name: 'echo', arguments: { text: 'x' } }))).result;
    expect(call).toEqual({ resultType: 'complete', content: [{ type: 'text', text: 'x' }] });
  });

  it('a missing resource is -32602 (no longer -32002)', async () => {
    const w = await wire(server());
    expect((await w.request('resources/read', modern({ uri: 'm://none' }))).error.code).toBe(
      ErrorCode.InvalidParams,
    );
  });

  it('logs only when the request asks, at or above its level', async () => {
    const w = await wire(server());
    await w.request('tools/call', modern({ name: 'logs' }));
    expect(w.notifications('notifications/message')).toEqual([]);
    await w.request('tools/call', modern({ name: 'logs' }, {}, { [META.logLevel]: 'info' }));
    expect(w.notifications('notifications/message').map((m) => m.params)).toEqual([
      { level: 'warning', data: 'loud' },
    ]);
  });
});

describe('MRTR (2026-07-28 basic/patterns/mrtr)', () => {
  async function round(
    w: Awaited<ReturnType<typeof wire>>,
    params: Record<string, unknown>,
    caps: Record<string, unknown> = ELICIT,
  ) {
    return (await w.request('tools/call', modern(params, caps))).result;
  }

  it('ends the request with an InputRequiredResult, then replays with the answers on each retry', async () => {
    const w = await wire(server());
    const args = { name: 'two_questions', arguments: { topic: 'cats' } };
    const r1 = await round(w, args);
    expect(r1).toMatchObject({
      resultType: 'input_required',
      inputRequests: { 'input-0': { method: 'elicitation/create', params: { message: 'first about cats' } } },
      requestState: expect.any(String),
    });
    const r2 = await round(w, {
      ...args,
      inputResponses: { 'input-0': { action: 'accept', content: { v: 'A' } } },
      requestState: r1.requestState,
    });
    expect(r2.inputRequests).toEqual({
      'input-1': { method: 'elicitation/create', params: form('second after A') },
    });
    const r3 = await round(w, {
      ...args,
      inputResponses: { 'input-1': { action: 'accept', content: { v: 'B' } } },
      requestState: r2.requestState,
    });
    expect(r3).toEqual({ resultType: 'complete', content: [{ type: 'text', text: 'A+B in 3 runs' }] });
  });

  it('asks again when the retry lacks the answer', async () => {
    const w = await wire(server());
    const args = { name: 'two_questions', arguments: { topic: 't' } };
    const r1 = await round(w, args);
    const r2 = await round(w, { ...args, inputResponses: { other: {} }, requestState: r1.requestState });
    expect(Object.keys(r2.inputRequests)).toEqual(['input-0']);
  });

  it('carries several input requests in one round when the handler asks in parallel', async () => {
    const w = await wire(server());
    const r1 = await round(w, { name: 'parallel' }, { elicitation: {}, sampling: {} });
    expect(
      Object.fromEntries(Object.entries(r1.inputRequests).map(([k, v]: [string, any]) => [k, v.method])),
    ).toEqual({
      'input-0': 'elicitation/create',
      'input-1': 'sampling/createMessage',
    });
    const done = await round(
      w,
      {
        name: 'parallel',
        requestState: r1.requestState,
        inputResponses: {
          'input-0': { action: 'accept', content: { v: 'yes' } },
          'input-1': { role: 'assistant', model: 'm1', content: { type: 'text', text: '.' } },
        },
      },
      { elicitation: {}, sampling: {} },
    );
    expect(done.content).toEqual([{ type: 'text', text: 'yes/m1' }]);
  });

  it('refuses a tampered requestState with -32602', async () => {
    const w = await wire(server());
    const args = { name: 'two_questions', arguments: { topic: 't' } };
    const { requestState } = await round(w, args);
    const [body, mac] = requestState.split('.');
    const forged = JSON.parse(Buffer.from(body, 'base64url').toString());
    forged.answers = { 'input-0': { action: 'accept', content: { v: 'forged' } } };
    const tampered = `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`;
    const r = await w.request('tools/call', modern({ ...args, requestState: tampered }, ELICIT));
    expect(r.error).toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringMatching(/requestState/),
    });
  });

  it('refuses a requestState presented with other arguments', async () => {
    const w = await wire(server());
    const { requestState } = await round(w, { name: 'two_questions', arguments: { topic: 'a' } });
    const r = await w.request(
      'tools/call',
      modern({ name: 'two_questions', arguments: { topic: 'b' }, requestState }, ELICIT),
    );
    expect(r.error.message).toMatch(/different request/);
  });

  it('refuses an expired requestState', async () => {
    const w = await wire(server({ requestStateTtlMs: -1 }));
    const args = { name: 'two_questions', arguments: { topic: 'a' } };
    const { requestState } = await round(w, args);
    const r = await w.request('tools/call', modern({ ...args, requestState }, ELICIT));
    expect(r.error.message).toMatch(/expired/);
  });

  it('answers -32021 when the client lacks the capability an input request needs', async () => {
    const w = await wire(server());
    const r = await w.request('tools/call', modern({ name: 'two_questions', arguments: { topic: 'a' } }, {}));
    expect(r.error).toMatchObject({
      code: ErrorCode.MissingRequiredClientCapability,
      data: { requiredCapabilities: { elicitation: { form: {} } } },
    });
  });

  it('works on prompts/get too', async () => {
    const w = await wire(server());
    const first = (await w.request('prompts/get', modern({ name: 'p', arguments: { x: '1' } }, ELICIT)))
      .result;
    expect(first.resultType).toBe('input_required');
    const done = (
      await w.request(
        'prompts/get',
        modern(
          {
            name: 'p',
            arguments: { x: '1' },
            requestState: first.requestState,
            inputResponses: { 'input-0': { action: 'decline' } },
          },
          ELICIT,
        ),
      )
    ).result;
    expect(done.messages).toEqual([{ role: 'user', content: { type: 'text', text: '1:decline' } }]);
  });

  it('a malformed input response is -32602', async () => {
    const w = await wire(server());
    const args = { name: 'two_questions', arguments: { topic: 'a' } };
    const { requestState } = await round(w, args);
    const r = await w.request(
      'tools/call',
      modern({ ...args, requestState, inputResponses: { 'input-0': { action: 'maybe' } } }, ELICIT),
    );
    expect(r.error.code).toBe(ErrorCode.InvalidParams);
  });
});

describe('subscriptions/listen (2026-07-28 basic/patterns/subscriptions)', () => {
  it('acknowledges first, delivers only what was agreed, tagged with the subscription id', async () => {
    const s = server();
    const w = await wire(s);
    void w.request(
      'subscriptions/listen',
      modern({
        notifications: {
          toolsListChanged: true,
          promptsListChanged: true,
          resourceSubscriptions: ['m://doc'],
        },
      }),
      'sub-1',
    );
    const ack = await w.waitFor((m) => m.method === 'notifications/subscriptions/acknowledged');
    expect(ack.params).toEqual({
      _meta: { [META.subscriptionId]: 'sub-1' },
      notifications: { toolsListChanged: true, promptsListChanged: true, resourceSubscriptions: ['m://doc'] },
    });
    s.tool('new_one', {}, () => 'x');
    s.tool('another', {}, () => 'y');
    await s.notifyResourceUpdated('m://doc');
    await s.notifyResourceUpdated('m://other');
    await w.waitFor((m) => m.method === 'notifications/tools/list_changed');
    expect(w.notifications('notifications/tools/list_changed')).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/tools/list_changed',
        params: { _meta: { [META.subscriptionId]: 'sub-1' } },
      },
    ]);
    expect(w.notifications('notifications/resources/updated').map((m) => m.params)).toEqual([
      { uri: 'm://doc', _meta: { [META.subscriptionId]: 'sub-1' } },
    ]);
    expect(w.inbox.indexOf(ack)).toBe(0);
  });

  it('holds a filter to the legacy bounds: maxSubscriptionsPerSession entries, URIs of 8,192 characters', async () => {
    const s = new McpServer({ name: 'bounded', version: '1' }, { limits: { maxSubscriptionsPerSession: 3 } });
    s.resource('m://doc', { name: 'doc' }, () => 'x');
    const w = await wire(s);
    const listen = (resourceSubscriptions: string[]) =>
      w.request('subscriptions/listen', modern({ notifications: { resourceSubscriptions } }));
    const many = await listen(['m://1', 'm://2', 'm://3', 'm://4']);
    expect(many.error).toMatchObject({ code: -32602, data: { limit: 'maxSubscriptionsPerSession' } });
    expect(many.error.message).toMatch(/limits\.maxSubscriptionsPerSession/);
    expect((await listen([`m://${'x'.repeat(8192)}`])).error).toMatchObject({ code: -32602 });
    // Within the bounds a stream opens, and a URI it named is found among the others.
    void w.request(
      'subscriptions/listen',
      modern({ notifications: { resourceSubscriptions: ['m://a', 'm://doc'] } }),
      'ok',
    );
    await w.waitFor((m) => m.method === 'notifications/subscriptions/acknowledged');
    await s.notifyResourceUpdated('m://doc');
    await w.waitFor((m) => m.method === 'notifications/resources/updated');
    expect(w.notifications('notifications/resources/updated').map((m) => m.params.uri)).toEqual(['m://doc']);
  });

  it('omits what the server cannot honour from the acknowledgment', async () => {
    const s = new McpServer({ name: 'tools-only', version: '1' });
    s.tool('t', {}, () => 'x');
    const w = await wire(s);
    void w.request(
      'subscriptions/listen',
      modern({ notifications: { toolsListChanged: true, promptsListChanged: true } }),
    );
    const ack = await w.waitFor((m) => m.method === 'notifications/subscriptions/acknowledged');
    expect(ack.params.notifications).toEqual({ toolsListChanged: true });
  });

  it('ends silently when the client cancels, and gracefully with a result when the server closes', async () => {
    const s = server();
    const w = await wire(s);
    void w.request('subscriptions/listen', modern({ notifications: { toolsListChanged: true } }), 'a');
    await w.waitFor((m) => m.method === 'notifications/subscriptions/acknowledged');
    await w.notify('notifications/cancelled', { requestId: 'a' });
    const closing = w.request(
      'subscriptions/listen',
      modern({ notifications: { toolsListChanged: true } }),
      'b',
    );
    await w.waitFor((m) => m.params?._meta?.[META.subscriptionId] === 'b');
    await s.close();
    expect((await closing).result).toEqual({ resultType: 'complete', _meta: { [META.subscriptionId]: 'b' } });
    expect(w.inbox.some((m) => m.id === 'a')).toBe(false);
  });
});
