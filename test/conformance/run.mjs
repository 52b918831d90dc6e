// `npm run conformance`: the official MCP conformance suite against mcpkit's everything-server and
// everything-client. The suite needs Node 22; it runs on the node@22 of runner/ so that the rest of
// the project stays on Node 20. Ends with `conformance: P passed, F failed`.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { browse, freePort } from '../helpers/idp.mjs';
import { CLIENT_ID, startAuthorizationServer } from './authorization-server.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const runner = here('runner');
const node22 = here('runner/node_modules/node/bin/node');
// `npm install` installs the runner (scripts/prepare.mjs): a test run never reaches the network.
if (!existsSync(node22) || !existsSync(here('runner/node_modules/conformance-0.1'))) {
  process.stderr.write(`conformance: the suite is not installed in ${runner}; run \`npm install\` first\n`);
  process.exit(1);
}

/** Authorization scenarios of both suites (OAuth 2.1 through mcpkit/auth's OAuthClient). */
const AUTH_COMMON = [
  'auth/metadata-default',
  'auth/metadata-var1',
  'auth/metadata-var2',
  'auth/metadata-var3',
  'auth/basic-cimd',
  'auth/scope-from-www-authenticate',
  'auth/scope-from-scopes-supported',
  'auth/scope-omitted-when-undefined',
  'auth/scope-step-up',
  'auth/token-endpoint-auth-basic',
  'auth/token-endpoint-auth-post',
  'auth/token-endpoint-auth-none',
  'auth/pre-registration',
  'auth/resource-mismatch',
  'auth/offline-access-scope',
  'auth/offline-access-not-supported',
];

/** Authorization extension flows (ext-auth), run without a spec version. */
const AUTH_EXTENSIONS = new Set([
  'auth/client-credentials-basic',
  'auth/client-credentials-jwt',
  'auth/wif-jwt-bearer',
  'auth/enterprise-managed-authorization',
  'auth/dpop',
  'auth/dpop-nonce',
]);

/** Client scenarios per suite version: every authorization scenario of both suites, nothing excluded. */
const CLIENT_SCENARIOS = {
  'conformance-0.1': [
    'initialize',
    'tools_call',
    'elicitation-sep1034-client-defaults',
    'sse-retry',
    ...AUTH_COMMON,
    // 2025-03-26 servers without protected resource metadata (the newer suite runs them for that revision only).
    'auth/2025-03-26-oauth-metadata-backcompat',
    'auth/2025-03-26-oauth-endpoint-fallback',
    'auth/client-credentials-basic',
    'auth/client-credentials-jwt',
  ],
  'conformance-next': [
    'tools_call',
    'request-metadata',
    'sep-2322-client-request-state',
    'http-standard-headers',
    'http-custom-headers',
    'http-invalid-tool-headers',
    'json-schema-ref-no-deref',
    'json-schema-2020-12-preservation',
    ...AUTH_COMMON,
    'auth/scope-retry-limit',
    'auth/authorization-server-migration',
    'auth/iss-supported',
    'auth/iss-not-advertised',
    'auth/iss-supported-missing',
    'auth/iss-wrong-issuer',
    'auth/iss-unexpected',
    'auth/iss-normalized',
    'auth/metadata-issuer-mismatch',
    ...AUTH_EXTENSIONS,
  ],
};

/** Runs the suite; `onOutput` sees the output as it grows (the authorization scenarios print a URL to visit). */
function conformance(suite, args, onOutput) {
  return new Promise((resolve) => {
    const child = spawn(node22, [here(`runner/node_modules/${suite}/dist/index.js`), ...args], {
      cwd: here('.'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      onOutput?.(out);
    });
    child.stderr.on('data', (c) => (out += c));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

async function withServer(fn) {
  const server = spawn(process.execPath, [here('everything-server.mjs'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    server.stdout.setEncoding('utf8').once('data', (line) => resolve(/listening (\S+)/.exec(line)?.[1]));
    server.once('exit', (code) => reject(new Error(`everything-server exited with ${code}`)));
  });
  try {
    return await fn(url);
  } finally {
    server.kill('SIGTERM');
  }
}

let passed = 0;
let failed = 0;
const report = [];

const server = await withServer((url) => conformance('conformance-0.1', ['server', '--url', url]));
const total = /Total: (\d+) passed, (\d+) failed/.exec(server.out);
if (!total) {
  process.stdout.write(server.out);
  failed++;
  report.push('0.1.16 server: no summary (see output above)');
} else {
  passed += Number(total[1]);
  failed += Number(total[2]);
  report.push(`0.1.16 server (every active scenario): ${total[1]} passed, ${total[2]} failed`);
  if (Number(total[2]) > 0) process.stdout.write(server.out.slice(server.out.indexOf('=== SUMMARY ===')));
}

const modern = await withServer((url) =>
  conformance('conformance-next', ['server', '--url', url, '--requirements', '2026-07-28']),
);
let modernPassed = 0;
let modernFailed = 0;
for (const m of modern.out.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed$/gm)) {
  const [, , p, f] = m;
  modernPassed += Number(p);
  modernFailed += Number(f);
  if (Number(f) > 0) process.stdout.write(`0.2.0-alpha.12 server ${m[0]}\n`);
}
if (modernPassed + modernFailed === 0) {
  process.stdout.write(modern.out);
  modernFailed = 1;
}
passed += modernPassed;
failed += modernFailed;
report.push(
  `0.2.0-alpha.12 server --requirements 2026-07-28 (tasks extension included): ${modernPassed} passed, ${modernFailed} failed`,
);

// The authorization server scenarios, against mcpkit/auth/server in front of an OpenID provider.
// The suite prints an authorization URL for a person to open; the browser here opens it, and the
// sign-in completes at the suite's callback.
{
  const callbackPort = await freePort();
  const as = await startAuthorizationServer(callbackPort);
  let browsed = false;
  const result = await conformance(
    'conformance-next',
    [
      'authorization',
      '--url',
      as.issuer,
      '--client-id',
      CLIENT_ID,
      '--resource',
      as.resource,
      '--port',
      `${callbackPort}`,
    ],
    (out) => {
      const url = /^(http\S+\/authorize\?\S+)$/m.exec(out)?.[1];
      if (!url || browsed) return;
      browsed = true;
      browse(url).catch((error) => process.stdout.write(`authorization: the browser failed: ${error}\n`));
    },
  );
  await as.close();
  const total = /Total: (\d+) passed, (\d+) failed/.exec(result.out);
  const [p, f] = total ? [Number(total[1]), Number(total[2])] : [0, 1];
  passed += p;
  failed += f;
  report.push(`0.2.0-alpha.12 authorization (mcpkit/auth/server): ${p} passed, ${f} failed`);
  if (!total || f > 0 || result.code !== 0) process.stdout.write(result.out);
}

/** One client scenario: its counts, and the output when it did not pass. */
async function clientScenario(suite, scenario) {
  const version =
    suite === 'conformance-next' && !AUTH_EXTENSIONS.has(scenario) ? ['--spec-version', '2026-07-28'] : [];
  const command = `${process.execPath} ${here('everything-client.mjs')}`;
  const result = await conformance(suite, [
    'client',
    '--command',
    command,
    '--scenario',
    scenario,
    ...version,
  ]);
  const m = /Passed: (\d+)\/(\d+), (\d+) failed/.exec(result.out);
  const ok = m !== null && result.out.includes('OVERALL: PASSED');
  return {
    suite,
    scenario,
    ok,
    out: result.out,
    p: m ? Number(m[1]) : 0,
    f: m ? Math.max(Number(m[3]), ok ? 0 : 1) : 1,
  };
}

// Two scenarios at a time: each spends most of its time waiting on its own servers.
const jobs = Object.entries(CLIENT_SCENARIOS).flatMap(([suite, list]) =>
  list.map((scenario) => [suite, scenario]),
);
const results = new Array(jobs.length);
let next = 0;
await Promise.all(
  [0, 1].map(async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await clientScenario(...jobs[i]);
    }
  }),
);
for (const r of results) {
  passed += r.p;
  failed += r.f;
  report.push(
    `${r.suite === 'conformance-next' ? '0.2.0-alpha.12' : '0.1.16'} client ${r.scenario}: ${r.p} passed, ${r.f} failed`,
  );
  if (!r.ok) process.stdout.write(r.out);
}

process.stdout.write(`${report.join('\n')}\n`);
writeFileSync(here('../../.conformance-results.json'), `${JSON.stringify({ passed, failed, report })}\n`);
process.stdout.write(`conformance: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
