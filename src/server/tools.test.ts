import { toStandardJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { initialized, modern, wire } from '../../test/helpers/wire.js';
import { ErrorCode } from '../protocol/errors.js';
import { McpServer } from './mcp-server.js';

const call = (name: string, args: unknown) => ({ name, arguments: args });

describe('tool schemas: any Standard Schema or raw JSON Schema', () => {
  it('derives JSON Schema 2020-12 from zod and validates with it', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool('z', { input: z.object({ n: z.number().int().min(1) }) }, ({ n }) => String(n * 2));
    const w = await initialized(s);
    const [tool] = (await w.request('tools/list')).result.tools;
    expect(tool.inputSchema).toMatchObject({
      type: 'object',
      properties: { n: { type: 'integer', minimum: 1 } },
      required: ['n'],
    });
    expect((await w.request('tools/call', call('z', { n: 4 }))).result.content).toEqual([
      { type: 'text', text: '8' },
    ]);
    expect((await w.request('tools/call', call('z', { n: 0 }))).result.isError).toBe(true);
  });

  it('takes valibot through its Standard JSON Schema wrapper', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool(
      'val',
      { input: toStandardJsonSchema(v.object({ word: v.pipe(v.string(), v.minLength(2)) })) },
      ({ word }) => word.toUpperCase(),
    );
    const w = await initialized(s);
    const [tool] = (await w.request('tools/list')).result.tools;
    expect(tool.inputSchema).toMatchObject({
      type: 'object',
      properties: { word: { type: 'string', minLength: 2 } },
    });
    expect((await w.request('tools/call', call('val', { word: 'ok' }))).result.content).toEqual([
      { type: 'text', text: 'OK' },
    ]);
    expect((await w.request('tools/call', call('val', { word: 'x' }))).result.isError).toBe(true);
  });

  it('refuses a Standard Schema that cannot produce JSON Schema', () => {
    const s = new McpServer({ name: 's', version: '1' });
    expect(() => s.tool('bare', { input: v.object({ a: v.string() }) }, () => '')).toThrow(
      /cannot produce JSON Schema/,
    );
  });

  it('validates raw JSON Schema input (interpreted, no code generation) and passes it through unchanged', async () => {
    const schema = {
      type: 'object',
      properties: { tags: { type: 'array', items: { type: 'string' }, maxItems: 2 } },
      required: ['tags'],
    };
    const s = new McpServer({ name: 's', version: '1' });
    s.tool('raw', { input: schema }, (args) => (args.tags as string[]).join(','));
    const w = await initialized(s);
    expect((await w.request('tools/list')).result.tools[0].inputSchema).toEqual(schema);
    expect((await w.request('tools/call', call('raw', { tags: ['a', 'b'] }))).result.content[0].text).toBe(
      'a,b',
    );
    const bad = (await w.request('tools/call', call('raw', { tags: ['a', 'b', 'c'] }))).result;
    expect(bad.isError).toBe(true);
    // The failure itself, where it is, not the "property does not match" wrapper around it.
    expect(bad.content[0].text).toBe(
      'Invalid arguments for tool raw: arguments.tags: Array has too many items (3 > 2).',
    );
  });

  it('uses the jsonSchemaValidator the server is given for raw JSON Schema', async () => {
    const seen: string[] = [];
    const s = new McpServer(
      { name: 's', version: '1' },
      {
        jsonSchemaValidator: (schema, io) => (value) => {
          seen.push(`${io}:${JSON.stringify(schema.required)}`);
          return (value as { n?: number }).n === 1 ? true : 'n must be 1 (custom validator)';
        },
      },
    );
    s.tool(
      'one',
      { input: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } },
      () => 'ok',
    );
    const w = await initialized(s);
    expect((await w.request('tools/call', call('one', { n: 1 }))).result.content[0].text).toBe('ok');
    const bad = (await w.request('tools/call', call('one', { n: 2 }))).result;
    expect(bad.content[0].text).toBe('Invalid arguments for tool one: n must be 1 (custom validator)');
    // Built once, on the first call, and used for every call after it.
    expect(seen).toEqual(['input:["n"]', 'input:["n"]']);
  });

  it("derives a Standard Schema's JSON Schema when the tool is first listed, not at registration", async () => {
    let conversions = 0;
    const schema = z.object({ a: z.string() });
    const standard = schema['~standard'] as unknown as { jsonSchema: { input: (o: unknown) => unknown } };
    const convert = standard.jsonSchema.input;
    standard.jsonSchema.input = (o) => {
      conversions++;
      return convert(o);
    };
    const s = new McpServer({ name: 's', version: '1' });
    s.tool('lazy', { input: schema }, () => '');
    expect(conversions).toBe(0);
    const w = await initialized(s);
    await w.request('tools/list');
    await w.request('tools/list');
    expect(conversions).toBe(1);
  });

  it('refuses another JSON Schema dialect at registration', () => {
    const s = new McpServer({ name: 's', version: '1' });
    expect(() =>
      s.tool(
        'old',
        { input: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' } },
        () => '',
      ),
    ).toThrow(/dialect/);
  });

  it('refuses input schemas that are not objects, and invalid x-mcp-header rules', () => {
    const s = new McpServer({ name: 's', version: '1' });
    expect(() => s.tool('arr', { input: z.array(z.string()) as never }, () => '')).toThrow(
      /must describe an object/,
    );
    expect(() =>
      s.tool(
        'hdr',
        { input: { type: 'object', properties: { n: { type: 'number', 'x-mcp-header': 'N' } } } },
        () => '',
      ),
    ).toThrow(/string, integer or boolean/);
    s.tool(
      'ok',
      { input: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } } },
      () => '',
    );
  });
});

describe('structured output', () => {
  function server() {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool('good', { output: z.object({ n: z.number() }) }, () => ({ structuredContent: { n: 1 } }));
    s.tool('bad', { output: z.object({ n: z.number() }) }, () => ({
      structuredContent: { n: 'one' } as never,
    }));
    s.tool('none', { output: z.object({ n: z.number() }) }, () => ({ content: [] }));
    s.tool('failing', { output: z.object({ n: z.number() }) }, () => ({
      content: [{ type: 'text', text: 'no' }],
      isError: true,
    }));
    s.tool('throws', {}, () => {
      throw new Error('disk full');
    });
    return s;
  }

  it('mirrors structuredContent as text for clients that ignore it', async () => {
    const w = await initialized(server());
    expect((await w.request('tools/call', call('good', {}))).result).toEqual({
      content: [{ type: 'text', text: '{"n":1}' }],
      structuredContent: { n: 1 },
    });
  });

  it('refuses output that fails the outputSchema, or is missing, as an internal error', async () => {
    const w = await initialized(server());
    expect((await w.request('tools/call', call('bad', {}))).error).toMatchObject({
      code: ErrorCode.InternalError,
      message: /outputSchema/,
    });
    expect((await w.request('tools/call', call('none', {}))).error.code).toBe(ErrorCode.InternalError);
  });

  it('does not validate error results against the outputSchema', async () => {
    const w = await initialized(server());
    expect((await w.request('tools/call', call('failing', {}))).result).toEqual({
      content: [{ type: 'text', text: 'no' }],
      isError: true,
    });
  });

  it('turns a thrown error into a tool error result', async () => {
    const w = await initialized(server());
    expect((await w.request('tools/call', call('throws', {}))).result).toEqual({
      content: [{ type: 'text', text: 'disk full' }],
      isError: true,
    });
  });
});

describe('registries', () => {
  it('lists in registration order and pages with opaque cursors', async () => {
    const s = new McpServer({ name: 's', version: '1' }, { pageSize: 2 });
    for (const name of ['c', 'a', 'b', 'e', 'd']) s.tool(name, {}, () => name);
    const w = await initialized(s);
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const r = (await w.request('tools/list', cursor ? { cursor } : {})).result;
      names.push(...r.tools.map((t: { name: string }) => t.name));
      cursor = r.nextCursor;
    } while (cursor);
    expect(names).toEqual(['c', 'a', 'b', 'e', 'd']);
  });

  it('coalesces changes made together into one list_changed per list, sent once initialized', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool('first', {}, () => '');
    const w = await initialized(s);
    await w.request('ping');
    const added = s.tool('second', {}, () => '');
    s.tool('third', {}, () => '');
    added.disable();
    s.prompt('p', {}, () => []);
    await w.waitFor((m) => m.method === 'notifications/prompts/list_changed');
    await new Promise((r) => setTimeout(r, 20));
    expect(w.notifications('notifications/tools/list_changed')).toHaveLength(1);
    expect((await w.request('tools/list')).result.tools.map((t: { name: string }) => t.name)).toEqual([
      'first',
      'third',
    ]);
  });

  it('refuses duplicate names', () => {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool('t', {}, () => '');
    expect(() => s.tool('t', {}, () => '')).toThrow(/already registered/);
  });

  it('caps completions at 100 values and says there are more', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    const many = Array.from({ length: 250 }, (_, i) => `v${i}`);
    s.prompt('p', { arguments: [{ name: 'a', complete: () => many }] }, () => []);
    const w = await initialized(s);
    const r = (
      await w.request('completion/complete', {
        ref: { type: 'ref/prompt', name: 'p' },
        argument: { name: 'a', value: '' },
      })
    ).result;
    expect(r.completion).toEqual({ values: many.slice(0, 100), total: 250, hasMore: true });
    const unknown = await w.request('completion/complete', {
      ref: { type: 'ref/prompt', name: 'zz' },
      argument: { name: 'a', value: '' },
    });
    expect(unknown.error.code).toBe(ErrorCode.InvalidParams);
  });

  it('derives prompt arguments from a schema and validates them', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    s.prompt(
      'schema',
      { arguments: z.object({ city: z.string().describe('Where'), unit: z.string().optional() }) },
      ({ city }) => [{ role: 'user', content: { type: 'text', text: city! } }],
    );
    const w = await initialized(s);
    expect((await w.request('prompts/list')).result.prompts[0].arguments).toEqual([
      { name: 'city', description: 'Where', required: true },
      { name: 'unit', required: false },
    ]);
    expect((await w.request('prompts/get', { name: 'schema', arguments: {} })).error.code).toBe(
      ErrorCode.InvalidParams,
    );
  });
});

describe('middleware', () => {
  it('wraps every request of both eras and sees the method, params and era', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool('t', {}, () => 'x');
    const seen: string[] = [];
    s.use(async (ctx, next) => {
      seen.push(`${ctx.era}:${ctx.method}:${String(ctx.params.name ?? '')}`);
      return next();
    });
    s.use(async (ctx, next) => {
      if (ctx.params.name === 'blocked')
        return { content: [{ type: 'text', text: 'blocked by middleware' }], isError: true };
      return next();
    });
    const legacy = await initialized(s);
    await legacy.request('tools/call', call('t', {}));
    const m = await wire(s);
    const r = await m.request('tools/call', modern({ name: 'blocked' }));
    expect(r.result).toMatchObject({ resultType: 'complete', isError: true });
    expect(seen).toEqual(['legacy:initialize:', 'legacy:tools/call:t', 'modern:tools/call:blocked']);
  });
});
