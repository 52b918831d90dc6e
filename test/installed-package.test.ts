import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// mcpkit as a new user gets it: `npm pack`, installed into fresh apps, with the README's own
// `// file:` snippets as the app's code. Packages come from npm's cache, filled by this checkout's
// own `npm install` (the versions are this checkout's), so the test needs no network.

const root = fileURLToPath(new URL('..', import.meta.url));
const exec = promisify(execFile);
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

let work: string;
let tarball: string;

/** The README's complete files: fenced `ts` blocks whose first line is `// file: <name>`. */
function readmeFiles(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const files = new Map<string, string>();
  for (const match of readme.matchAll(/```ts\n\/\/ file: (\S+)\n([\s\S]*?)```/g)) {
    files.set(match[1] as string, match[2] as string);
  }
  return files;
}

async function makeApp(name: string, dependencies: Record<string, string>, type: 'module' | 'commonjs') {
  const dir = join(work, name);
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name,
      private: true,
      type,
      dependencies: { mcpkit: `file:${tarball}`, ...dependencies },
    }),
  );
  await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error'], {
    cwd: dir,
    timeout: 180_000,
  });
  return dir;
}

const STRICT = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  skipLibCheck: false,
  target: 'ES2022',
  rootDir: 'src',
  outDir: 'dist',
};

async function typecheck(dir: string, config: string, options: Record<string, unknown>, include = ['src']) {
  writeFileSync(join(dir, config), JSON.stringify({ compilerOptions: { ...STRICT, ...options }, include }));
  try {
    await exec(process.execPath, [tsc, '-p', config], { cwd: dir, timeout: 120_000 });
  } catch (error) {
    throw new Error(`tsc -p ${config} failed:\n${(error as { stdout?: string }).stdout}`);
  }
}

/** Runs a compiled file to its end; its output. */
async function runToEnd(dir: string, file: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await exec(process.execPath, [file], {
    cwd: join(dir, 'dist'),
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return stdout;
}

/** Starts a compiled server on a free port; its URL, from the line it prints. */
async function startServer(dir: string, file: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [file], {
    cwd: join(dir, 'dist'),
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const found = /listening on (\S+)/.exec(out);
      if (found) resolve(found[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}: ${out}`)));
    child.once('error', reject);
  });
  return { url, child };
}

let app: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mcpkit-installed-'));
  // dist/ is built by `pretest`; the tarball must be complete without running the build again.
  const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: root,
  });
  tarball = join(work, (JSON.parse(stdout) as { filename: string }[])[0]?.filename as string);
  app = await makeApp(
    'esm-app',
    Object.fromEntries(
      [
        'zod',
        'jose',
        'ioredis',
        'express',
        'hono',
        '@hono/node-server',
        '@types/node',
        '@types/express',
        '@opentelemetry/api',
      ].map((p) => [p, versionOf(p)]),
    ),
    'module',
  );
  for (const [name, text] of readmeFiles()) writeFileSync(join(app, 'src', name), text);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package, installed into a fresh app', () => {
  it('packs dist, bin, LICENSE and CHANGELOG, and no sources or tests', async () => {
    const { stdout } = await exec('tar', ['-tzf', tarball]);
    const files = stdout.split('\n').filter(Boolean);
    expect(files).toContain('package/dist/server/index.mjs');
    expect(files).toContain('package/dist/http/index.d.cts');
    expect(files).toContain('package/bin/mcpkit.js');
    expect(files).toContain('package/LICENSE');
    expect(files).toContain('package/CHANGELOG.md');
    expect(files.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toBe(false);
  });

  it('holds every README file the test runs', () => {
    expect([...readmeFiles().keys()].sort()).toEqual([
      'express-server.ts',
      'greeter.ts',
      'hono-server.ts',
      'http-client.ts',
      'http-server.ts',
      'limited-server.ts',
      'oauth-client.ts',
      'oauth-proxy.ts',
      'protected-server.ts',
      'redis-limits.ts',
      'resilient-client.ts',
      'scaled.ts',
      'scraped.ts',
      'server.ts',
      'stdio-client.ts',
      'traced.ts',
      'worker.ts',
    ]);
  });

  it('type-checks the README under strict nodenext and bundler resolution', async () => {
    await typecheck(app, 'tsconfig.bundler.json', {
      module: 'preserve',
      moduleResolution: 'bundler',
      noEmit: true,
      types: ['node'],
    });
    await typecheck(app, 'tsconfig.json', {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
    });
  }, 120_000);

  it('type-checks the edge entry points with "types": [] (no Node types)', async () => {
    writeFileSync(
      join(app, 'src', 'edge-client.ts'),
      [
        "import { Client } from 'mcpkit/client';",
        "import { StreamableHttpClientTransport } from 'mcpkit/http';",
        "import { McpError } from 'mcpkit/protocol';",
        "import { ApiKeys, bearerAuth, Rbac } from 'mcpkit/auth';",
        "import { jwtProvider } from 'mcpkit/auth/jwt';",
        "import { authorizationServer, oidcUpstream } from 'mcpkit/auth/server';",
        'export const protections = [ApiKeys, bearerAuth, Rbac, jwtProvider, authorizationServer, oidcUpstream];',
        'export async function ask(url: string): Promise<unknown> {',
        "  const client = new Client({ name: 'edge', version: '1' });",
        '  await client.connect(new StreamableHttpClientTransport(url));',
        '  try {',
        "    return await client.callTool('greet', { name: 'edge' });",
        '  } catch (error) {',
        '    return error instanceof McpError ? error.code : undefined;',
        '  } finally {',
        '    await client.close();',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    await typecheck(
      app,
      'tsconfig.edge.json',
      { module: 'preserve', moduleResolution: 'bundler', noEmit: true, types: [], lib: ['ES2022', 'DOM'] },
      ['src/worker.ts', 'src/greeter.ts', 'src/edge-client.ts'],
    );
  }, 120_000);

  it('runs the stdio server and client: elicitation answered, logs received, structured output', async () => {
    const out = await runToEnd(app, 'stdio-client.js');
    expect(out).toContain('forecast');
    expect(out).toContain('celsius: 21');
    expect(out).toMatch(/server log \[info\] \{ city: 'Paris', answer: 'accept' \}/);
    expect(out).toContain('weather://stations');
  }, 60_000);

  it.each(['http-server.js', 'express-server.js', 'hono-server.js'])(
    'serves the HTTP client from %s',
    async (file) => {
      const { url, child } = await startServer(app, file);
      try {
        const out = await runToEnd(app, 'http-client.js', { MCP_URL: url });
        expect(out).toContain('Hello, Ada!');
        expect(out).toContain('server log [info] greeting Ada');
        expect(out).toMatch(/tool failed: \[ \{ type: 'text', text: 'the database is down' \} \]/);
        expect(out).toMatch(/protocol error -32602 .*no-such-tool/);
        expect(out).toContain('# Greeter');
      } finally {
        child.kill('SIGTERM');
      }
    },
    60_000,
  );
});

describe('the README observability setup, installed', () => {
  it('serves /metrics with the calls just made, and /healthz and /readyz, with no SDK set up', async () => {
    const { url, child } = await startServer(app, 'scraped.js');
    try {
      expect(await runToEnd(app, 'http-client.js', { MCP_URL: url })).toContain('Hello, Ada!');
      const metrics = await (await fetch(url.replace(/\/mcp$/, '/metrics'))).text();
      expect(metrics).toMatch(
        /^mcp_server_operation_duration_count\{[^}]*gen_ai_tool_name="greet"[^}]*\} [1-9]/m,
      );
      expect((await fetch(url.replace(/\/mcp$/, '/healthz'))).status).toBe(200);
      const ready = await fetch(url.replace(/\/mcp$/, '/readyz'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});

describe('CommonJS and zod 3.25 apps', () => {
  it('requires every entry point from CommonJS and serves a call (nodenext, CJS output)', async () => {
    const cjs = await makeApp(
      'cjs-app',
      { zod: versionOf('zod'), '@types/node': versionOf('@types/node') },
      'commonjs',
    );
    writeFileSync(
      join(cjs, 'src', 'index.ts'),
      [
        "import { createLinkedPair } from 'mcpkit';",
        "import { Client } from 'mcpkit/client';",
        "import { McpServer } from 'mcpkit/server';",
        "import { serveStdio } from 'mcpkit/stdio';",
        "import { serveHttp } from 'mcpkit/node';",
        "import { createStreamableHttpHandler } from 'mcpkit/http';",
        "import { z } from 'zod';",
        '',
        'async function main() {',
        "  const server = new McpServer({ name: 'cjs', version: '1' });",
        "  server.tool('double', { input: z.object({ n: z.number() }) }, ({ n }) => String(n * 2));",
        '  const [a, b] = createLinkedPair();',
        '  await server.connect(a);',
        "  const client = new Client({ name: 'c', version: '1' });",
        '  await client.connect(b);',
        "  const result = await client.callTool('double', { n: 21 });",
        '  console.log(JSON.stringify(result.content), typeof serveStdio, typeof serveHttp, typeof createStreamableHttpHandler);',
        '  await client.close();',
        '}',
        'void main();',
        '',
      ].join('\n'),
    );
    await typecheck(cjs, 'tsconfig.json', {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
    });
    expect(readFileSync(join(cjs, 'dist', 'index.js'), 'utf8')).toContain('require("mcpkit/client")');
    expect((await runToEnd(cjs, 'index.js')).trim()).toBe(
      '[{"type":"text","text":"42"}] function function function',
    );
  }, 240_000);

  it('takes zod 3.25 schemas (the zod 3 API and zod/v4) from the app’s own zod', async () => {
    const zod3 = await makeApp(
      'zod3-app',
      { zod: versionOf('zod-3'), '@types/node': versionOf('@types/node') },
      'module',
    );
    expect(versionOf('zod-3')).toMatch(/^3\.25\./);
    writeFileSync(
      join(zod3, 'src', 'index.ts'),
      [
        "import { createLinkedPair } from 'mcpkit';",
        "import { Client } from 'mcpkit/client';",
        "import { McpServer } from 'mcpkit/server';",
        "import { z } from 'zod';",
        "import { z as z4 } from 'zod/v4';",
        '',
        "const server = new McpServer({ name: 'zod3', version: '1' });",
        "server.tool('add', { input: z.object({ a: z.number(), b: z.number().default(1) }) }, ({ a, b }) => String(a + b));",
        "server.tool('upper', { input: z4.object({ word: z4.string().min(2) }) }, ({ word }) => word.toUpperCase());",
        'const [x, y] = createLinkedPair();',
        'await server.connect(x);',
        "const client = new Client({ name: 'c', version: '1' });",
        'await client.connect(y);',
        'const tools = await client.allTools();',
        'console.log(JSON.stringify(tools.map((t) => t.inputSchema)));',
        "console.log(JSON.stringify((await client.callTool('add', { a: 2 })).content));",
        "console.log(JSON.stringify((await client.callTool('upper', { word: 'x' })).isError));",
        'await client.close();',
        '',
      ].join('\n'),
    );
    await typecheck(zod3, 'tsconfig.json', {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
    });
    const [schemas, sum, refused] = (await runToEnd(zod3, 'index.js')).trim().split('\n');
    expect(JSON.parse(schemas as string)).toMatchObject([
      {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number', default: 1 } },
        required: ['a'],
      },
      { type: 'object', properties: { word: { type: 'string', minLength: 2 } }, required: ['word'] },
    ]);
    expect(sum).toBe('[{"type":"text","text":"3"}]');
    expect(refused).toBe('true');
  }, 240_000);
});
