// The entry points a browser, Workers, Deno or Bun imports load no Node built-in, in code or in
// types, and the HTTP handler bundled for a neutral platform serves requests on a host that
// refuses code generation (as Workers does).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const EDGE_ENTRIES = [
  'index',
  'protocol/index',
  'engine/index',
  'server/index',
  'client/index',
  'http/index',
  'auth/index',
  'auth/jwt/index',
  'auth/server/index',
  'limits/index',
  'limits/redis/index',
  'otel/index',
  'prometheus/index',
  'health/index',
  'redis/index',
  'nats/index',
];
const NODE_ONLY = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s*)["']([^"']+)["']/gm;

/** A relative import as the build wrote it; type files name the JavaScript file beside them. */
function fileOf(from: string, spec: string): string {
  const target = resolve(dirname(from), spec);
  if (existsSync(target) || !from.includes('.d.')) return target;
  return target
    .replace(/\.mjs$/, '.d.mts')
    .replace(/\.cjs$/, '.d.cts')
    .replace(/\.js$/, '.d.ts');
}

/** The files reachable from `file` through the build's own relative imports, and their bare imports. */
function reachable(file: string, files = new Set<string>(), bare = new Set<string>()) {
  if (files.has(file)) return { files, bare };
  files.add(file);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
    if (spec!.startsWith('.')) reachable(fileOf(file, spec!), files, bare);
    else bare.add(spec!);
  }
  return { files, bare };
}
const bareImports = (file: string) => reachable(file).bare;

describe('edge entry points load no Node built-in', () => {
  it.each(EDGE_ENTRIES)('dist/%s (ESM, CJS and their type files)', (entry) => {
    for (const ext of ['.mjs', '.cjs', '.d.mts', '.d.cts']) {
      const file = join(dist, entry + ext);
      expect(existsSync(file), file).toBe(true);
      const { files, bare } = reachable(file);
      expect(
        [...bare].filter((s) => NODE_ONLY.has(s)),
        `${entry}${ext}`,
      ).toEqual([]);
      if (ext.startsWith('.d.')) {
        // Types too: a `"types": []` project has no @types/node to resolve NodeJS or Buffer.
        for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toMatch(/\bNodeJS\.|\bBuffer\b/);
      }
    }
  });

  it('no entry point but mcpkit/otel loads OpenTelemetry: off costs nothing', () => {
    for (const entry of [
      // mcpkit/prometheus among them: it implements the metrics API itself.
      ...EDGE_ENTRIES.filter((e) => e !== 'otel/index'),
      'stdio/index',
      'node/index',
      'adapters/index',
      'health/index',
    ])
      expect(
        [...bareImports(join(dist, `${entry}.mjs`))].filter((s) => s.startsWith('@opentelemetry/')),
        entry,
      ).toEqual([]);
    // mcpkit/otel needs the API alone (the SDK is the user's choice).
    expect(
      [...bareImports(join(dist, 'otel/index.mjs'))].filter((s) => s.startsWith('@opentelemetry/')),
    ).toEqual(['@opentelemetry/api']);
  });

  it('the Node-only entry points are where the built-ins are', () => {
    expect([...bareImports(join(dist, 'stdio/index.mjs'))]).toContain('node:child_process');
    expect([...bareImports(join(dist, 'node/index.mjs'))]).toContain('node:http');
  });
});

describe('the HTTP handler on a no-eval host', () => {
  it('bundles for a neutral platform and serves both eras with --disallow-code-generation-from-strings', async () => {
    const dir = join(root, 'node_modules', '.cache', 'mcpkit-edge');
    mkdirSync(dir, { recursive: true });
    const entry = join(dir, 'worker.mjs');
    writeFileSync(
      entry,
      `
import { McpServer } from ${JSON.stringify(join(dist, 'server/index.mjs'))};
import { createStreamableHttpHandler } from ${JSON.stringify(join(dist, 'http/index.mjs'))};
import { z } from 'zod';

let evalAllowed = true;
try { new Function('return 1'); } catch { evalAllowed = false; }

const server = new McpServer({ name: 'edge', version: '1' });
server.tool('echo', { input: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } }, (a) => a.text);
server.tool('add', { input: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => String(a + b));
const handler = createStreamableHttpHandler(server, { allowedHosts: ['edge.example'] });
const meta = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'edge', version: '1' },
};
async function modern(id, name, args) {
  const response = await handler(new Request('https://edge.example/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': name },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: meta } }),
  }));
  return response.json();
}
const init = await handler(new Request('https://edge.example/mcp', {
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'edge', version: '1' } } }),
}));
const out = {
  evalAllowed,
  session: init.headers.get('mcp-session-id') !== null,
  echo: await modern(1, 'echo', { text: 'hi' }),
  badEcho: await modern(2, 'echo', {}),
  add: await modern(3, 'add', { a: 2, b: 3 }),
  badAdd: await modern(4, 'add', { a: 'x', b: 3 }),
};
await handler.close();
console.log(JSON.stringify(out));
`,
    );
    const bundle = join(dir, 'worker.bundle.mjs');
    // Neutral: no Node built-in resolves, so reaching one fails the build.
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'neutral',
      format: 'esm',
      mainFields: ['module', 'main'],
      conditions: ['workerd', 'worker', 'import', 'default'],
      outfile: bundle,
      logLevel: 'silent',
    });
    const out = JSON.parse(
      execFileSync(process.execPath, ['--disallow-code-generation-from-strings', bundle], {
        encoding: 'utf8',
      }),
    );
    expect(out.evalAllowed).toBe(false);
    expect(out.session).toBe(true);
    expect(out.echo.result.content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(out.badEcho.result).toMatchObject({ isError: true });
    expect(out.badEcho.result.content[0].text).toMatch(/required property "text"/);
    expect(out.add.result.content).toEqual([{ type: 'text', text: '5' }]);
    expect(out.badAdd.result).toMatchObject({ isError: true });
  });
});
