// npm's `prepare` step: runs after `npm install` in a checkout, when npm installs mcpkit from git,
// and before `npm pack`/`npm publish`. It builds dist/ (so a git install or a tarball is a complete
// package) and, in a development checkout only, installs the pinned conformance suite, so that
// `npm test` never needs the network.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await import('./build.mjs');

// npm prepares a git dependency in a clone inside its cache; that package needs dist/ only.
const cache = process.env.npm_config_cache;
const insideCache = cache !== undefined && !relative(resolve(cache), root).startsWith('..');
const runner = resolve(root, 'test/conformance/runner');
if (!insideCache && existsSync(resolve(runner, 'package.json'))) {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel', 'error'], {
    cwd: runner,
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
}
