import { describe, expect, it } from 'vitest';
import { z as zod3 } from 'zod-3';
import { z as zod325v4 } from 'zod-3/v4';
import { z as zod41 } from 'zod-4-1';
import { initialized } from '../../test/helpers/wire.js';
import { McpServer } from './mcp-server.js';

// The zod an app installs is its own: these copies are the oldest releases mcpkit's peer range
// admits, loaded as separate packages exactly as an app's zod would be.
const versions = [
  ['zod 3.25 (zod 3 API)', zod3],
  ['zod 3.25 (zod/v4)', zod325v4],
  ['zod 4.1', zod41],
] as const;

describe.each(versions)('%s as tool schemas', (_name, z) => {
  // The three zod APIs differ in their types, not in what these tests use.
  const zz = z as any;
  const input = zz.object({
    city: zz.string().min(2).describe('City name'),
    days: zz.number().int().min(1).max(14).default(3),
    units: zz.enum(['metric', 'imperial']).optional(),
    tags: zz.array(zz.string()).max(3).nullable(),
  });

  it('lists JSON Schema 2020-12 with checks, defaults and descriptions, and validates calls', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool(
      'forecast',
      { input, output: zz.object({ total: zz.number() }) },
      (args: { city: string; days: number }) => ({
        structuredContent: { total: args.city.length + args.days },
      }),
    );
    const w = await initialized(s);
    const [tool] = (await w.request('tools/list')).result.tools;
    expect(tool.inputSchema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 2, description: 'City name' },
        days: { type: 'integer', minimum: 1, maximum: 14, default: 3 },
        units: { enum: ['metric', 'imperial'] },
      },
      required: ['city', 'tags'],
    });
    expect(tool.outputSchema).toMatchObject({ type: 'object', properties: { total: { type: 'number' } } });
    const ok = await w.request('tools/call', { name: 'forecast', arguments: { city: 'Paris', tags: null } });
    expect(ok.result.structuredContent).toEqual({ total: 8 });
    const bad = await w.request('tools/call', { name: 'forecast', arguments: { city: 'P', tags: [] } });
    expect(bad.result.isError).toBe(true);
    expect(bad.result.content[0].text).toMatch(/city/);
  });

  it('takes an object with a transform or a refinement as input, and refuses a non-object', async () => {
    const s = new McpServer({ name: 's', version: '1' });
    s.tool(
      'shout',
      { input: zz.object({ word: zz.string() }).transform((o: { word: string }) => o.word) },
      (word: string) => word.toUpperCase(),
    );
    expect(() => s.tool('plain', { input: zz.string() }, () => '')).toThrow(/must describe an object/);
    const w = await initialized(s);
    const [tool] = (await w.request('tools/list')).result.tools;
    expect(tool.inputSchema).toMatchObject({ type: 'object', properties: { word: { type: 'string' } } });
    const result = await w.request('tools/call', { name: 'shout', arguments: { word: 'hi' } });
    expect(result.result.content).toEqual([{ type: 'text', text: 'HI' }]);
  });
});

describe('zod 3 conversion', () => {
  it('turns unions, tuples, records, strict objects, literals and recursion into JSON Schema', async () => {
    type Node = { name: string; children: Node[] };
    const node: zod3.ZodType<Node> = zod3.lazy(() =>
      zod3.object({ name: zod3.string(), children: zod3.array(node) }),
    );
    const s = new McpServer({ name: 's', version: '1' });
    s.tool(
      'shapes',
      {
        input: zod3
          .object({
            choice: zod3.union([zod3.literal('a'), zod3.number().gt(0)]),
            pair: zod3.tuple([zod3.string(), zod3.boolean()]),
            scores: zod3.record(zod3.number()),
            email: zod3.string().email(),
            tree: node,
          })
          .strict(),
      },
      () => 'ok',
    );
    const w = await initialized(s);
    const [tool] = (await w.request('tools/list')).result.tools;
    expect(tool.inputSchema).toMatchObject({
      additionalProperties: false,
      properties: {
        choice: { anyOf: [{ const: 'a' }, { type: 'number', exclusiveMinimum: 0 }] },
        pair: {
          type: 'array',
          prefixItems: [{ type: 'string' }, { type: 'boolean' }],
          minItems: 2,
          maxItems: 2,
        },
        scores: { type: 'object', additionalProperties: { type: 'number' } },
        email: { type: 'string', format: 'email' },
        tree: {
          type: 'object',
          properties: { name: { type: 'string' }, children: { type: 'array', items: {} } },
        },
      },
    });
  });
});
