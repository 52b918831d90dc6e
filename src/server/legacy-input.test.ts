import { describe, expect, it } from 'vitest';
import { initialized } from '../../test/helpers/wire.js';
import { McpServer } from './mcp-server.js';

const FORM = {
  message: 'Name?',
  requestedSchema: { type: 'object' as const, properties: { name: { type: 'string' as const } } },
};

function asking() {
  const s = new McpServer({ name: 'asking', version: '1' });
  s.tool('greet', {}, async (_args, ctx) => `hello ${String((await ctx.elicit(FORM)).content?.name)}`);
  s.prompt('greeting', {}, async (_args, ctx) => [
    { role: 'user', content: { type: 'text', text: String((await ctx.elicit(FORM)).action) } },
  ]);
  return s;
}

describe('legacy sessions: input the client cannot give (hardening: reported as the tools/call error code)', () => {
  it('a client without the capability gets a tool result with isError naming it, not -32021', async () => {
    const w = await initialized(asking(), '2025-11-25', {});
    const answer = await w.request('tools/call', { name: 'greet', arguments: {} });
    expect(answer.error).toBeUndefined();
    expect(answer.result.isError).toBe(true);
    expect(answer.result.content[0].text).toContain('elicitation');
  });

  it("the client's error answer to elicitation/create becomes an isError result, not a tools/call error", async () => {
    const w = await initialized(asking(), '2025-11-25', { elicitation: {} });
    const pending = w.request('tools/call', { name: 'greet', arguments: {} }, 'call');
    const asked = await w.waitFor((m) => m.method === 'elicitation/create', 'the elicitation request');
    await w.send({ jsonrpc: '2.0', id: asked.id, error: { code: -32601, message: 'Method not found' } });
    const answer = await pending;
    expect(answer.error).toBeUndefined();
    expect(answer.result).toMatchObject({ isError: true });
    expect(answer.result.content[0].text).toMatch(/elicitation\/create.*-32601/);
  });

  it('outside a tool the failure is a -32603 whose message says what the client did', async () => {
    const w = await initialized(asking(), '2025-11-25', { elicitation: {} });
    const pending = w.request('prompts/get', { name: 'greeting' }, 'prompt');
    const asked = await w.waitFor((m) => m.method === 'elicitation/create', 'the elicitation request');
    await w.send({ jsonrpc: '2.0', id: asked.id, error: { code: -32601, message: 'Method not found' } });
    expect((await pending).error).toMatchObject({ code: -32603, message: expect.stringContaining('-32601') });
  });
});
