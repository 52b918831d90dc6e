import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (code: string, type: 'module' | 'commonjs') =>
  execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], {
    cwd: root,
    encoding: 'utf8',
  }).trim();

/** The built package resolves through its exports map, from ESM and CommonJS alike. */
describe('package exports', () => {
  it.each([
    'mcpkit',
    'mcpkit/protocol',
    'mcpkit/engine',
    'mcpkit/server',
    'mcpkit/client',
    'mcpkit/http',
    'mcpkit/stdio',
    'mcpkit/transports',
    'mcpkit/node',
    'mcpkit/auth',
    'mcpkit/auth/jwt',
    'mcpkit/auth/server',
    'mcpkit/limits',
    'mcpkit/limits/redis',
    'mcpkit/redis',
    'mcpkit/nats',
    'mcpkit/adapters',
  ])('%s loads as ESM and CJS', (entry) => {
    const esm = run(`const m = await import('${entry}'); console.log(Object.keys(m).length > 0)`, 'module');
    const cjs = run(`const m = require('${entry}'); console.log(Object.keys(m).length > 0)`, 'commonjs');
    expect([esm, cjs]).toEqual(['true', 'true']);
  });

  it('exposes McpServer from the server entry', () => {
    expect(
      run(`const { McpServer } = require('mcpkit/server'); console.log(typeof McpServer)`, 'commonjs'),
    ).toBe('function');
  });
});
