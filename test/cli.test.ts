import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { modernTaskRequest, openLegacySession, sessionHeaders } from './helpers/http.js';
import { freePort } from './helpers/idp.mjs';
import { serviceAvailable } from './helpers/services.js';

// The `mcpkit` command as a user runs it: the built bin, real servers (the demo over stdio and
// HTTP), and a pseudo-terminal (util-linux `script`) where a person would type.

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/mcpkit.js', import.meta.url));
const DEMO = `node ${bin} demo --stdio`;

async function mcpkit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
      cwd: root,
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('mcpkit call: answering what the server asks', () => {
  it('answers elicitation from --elicit, in both eras', async () => {
    for (const era of ['legacy', 'modern']) {
      const r = await mcpkit(
        'call',
        '--era',
        era,
        '--stdio',
        DEMO,
        'greet_user',
        '--elicit',
        '{"name":"Ada"}',
      );
      expect(r.stdout.trim()).toBe('Hello, Ada!');
      expect(r.code).toBe(0);
      const declined = await mcpkit(
        'call',
        '--era',
        era,
        '--stdio',
        DEMO,
        'greet_user',
        '--elicit',
        'decline',
      );
      expect(declined.stdout.trim()).toBe('No greeting: the user chose decline');
    }
  });

  it('says which capability the server wanted when nobody can answer', async () => {
    const legacy = await mcpkit('call', '--era', 'legacy', '--stdio', DEMO, 'greet_user');
    expect(legacy.code).toBe(1);
    expect(legacy.stderr).toContain(
      `mcpkit: the server needs the client capability elicitation.form: run the command in a terminal to answer it, or pass --elicit '{"field":"value"}' (or --elicit decline)`,
    );
    const modern = await mcpkit('call', '--era', 'modern', '--stdio', DEMO, 'summarize', '{"text":"a"}');
    expect(modern.code).toBe(1);
    expect(modern.stderr).toBe(
      'mcpkit: the server needs the client capability sampling: mcpkit has no model to sample with: use a client that has one\n',
    );
    const roots = await mcpkit('call', '--era', 'modern', '--stdio', DEMO, 'list_roots');
    expect(roots.stderr).toBe(
      'mcpkit: the server needs the client capability roots: pass --root <path or URI> (repeatable) to offer roots\n',
    );
  });

  it('offers roots from --root, as file URIs', async () => {
    const r = await mcpkit(
      'call',
      '--stdio',
      DEMO,
      'list_roots',
      '--root',
      '/srv/data',
      '--root',
      'file:///home/ada',
    );
    expect(r.stdout.trim().split('\n')).toEqual(['file:///srv/data', 'file:///home/ada']);
    const web = await mcpkit('call', '--stdio', DEMO, 'list_roots', '--root', 'https://example.com/x');
    expect(web.stderr).toBe(
      'mcpkit: --root takes a local path or a file:// URI (MCP roots are files), not https://example.com/x\n',
    );
  });

  it('refuses an --elicit that is neither JSON content nor an action', async () => {
    const r = await mcpkit('call', '--stdio', DEMO, 'greet_user', '--elicit', 'Ada');
    expect(r.stderr).toBe(
      `mcpkit: --elicit takes the answer as a JSON object, such as '{"name":"Ada"}', or accept, decline or cancel; not Ada\n`,
    );
  });

  it('asks in a terminal, field by field, re-asking an empty required answer', async () => {
    const session = spawn('script', ['-qfec', `node ${bin} call --stdio "${DEMO}" greet_user`, '/dev/null'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    const waitFor = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${text}" on the terminal:\n${screen}`)), 15_000);
        const check = () => {
          if (screen.includes(text)) {
            clearTimeout(timer);
            session.stdout.off('data', check);
            resolve();
          }
        };
        session.stdout.on('data', check);
        check();
      });
    session.stdout.setEncoding('utf8').on('data', (chunk: string) => void (screen += chunk));
    const exited = new Promise<number | null>((resolve) => session.once('exit', resolve));
    await waitFor('The server asks: What is your name?');
    await waitFor('Answer? [Y]es, [n]o (decline), [c]ancel: ');
    session.stdin.write('\r');
    await waitFor('Name [string]: ');
    session.stdin.write('\r');
    await waitFor('  an answer is required');
    session.stdin.write('Ada\r');
    await waitFor('Hello, Ada!');
    expect(await exited).toBe(0);
  });
});

describe('mcpkit messages', () => {
  it('points out a URL without its scheme', async () => {
    const r = await mcpkit('call', 'localhost:3000/mcp', 'add', '{"a":1}');
    expect(r.stderr).toBe(
      'mcpkit: localhost:3000/mcp needs a scheme: http://localhost:3000/mcp (or https://)\n',
    );
    expect(r.code).toBe(1);
  });

  it('names a refused connection once, with its code', async () => {
    const url = `http://127.0.0.1:${await freePort()}/mcp`;
    const r = await mcpkit('inspect', url);
    expect(r.stderr).toBe(
      `mcpkit: Could not connect to ${url}: connection refused (ECONNREFUSED). Is the server running, and on that port?\n`,
    );
  });

  it('suggests the tool meant', async () => {
    const r = await mcpkit('call', '--stdio', DEMO, 'ad', '{"a":1,"b":2}');
    expect(r.stderr).toBe(
      'mcpkit: The server has no tool "ad". Did you mean "add"? (mcpkit inspect lists its 9 tools)\n',
    );
    const far = await mcpkit('call', '--stdio', DEMO, 'zzzzzzzz');
    expect(far.stderr).toBe(
      'mcpkit: The server has no tool "zzzzzzzz". (mcpkit inspect lists its 9 tools)\n',
    );
  });

  it('explains a stdio server that prints to stdout', async () => {
    const chatty = `node -e "console.log('Server listening'); setInterval(() => {}, 1000)"`;
    const r = await mcpkit('call', '--stdio', chatty, 'x', '--timeout', '1000');
    expect(r.stderr).toContain(
      'mcpkit: the server wrote a line that is not JSON-RPC to stdout: "Server listening". An MCP server over stdio must write only protocol messages there; logs belong on stderr.\n',
    );
    expect(r.code).toBe(1);
  });

  it('names a port in use and a port that is no number', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const r = await mcpkit('demo', '--port', String(port));
      expect(r.stderr).toBe(
        `mcpkit: port ${port} on 127.0.0.1 is already in use: stop what is using it, or choose another with --port\n`,
      );
      expect(r.code).toBe(1);
    } finally {
      blocker.close();
    }
    const abc = await mcpkit('demo', '--port', 'abc');
    expect(abc.stderr).toBe('mcpkit: --port must be a whole number from 0 to 65535, not "abc"\n');
    const timeout = await mcpkit('inspect', 'http://127.0.0.1:1/mcp', '--timeout', 'soon');
    expect(timeout.stderr).toBe(
      `mcpkit: --timeout must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, not "soon"\n`,
    );
  });
});

describe('mcpkit demo --rate-limit', () => {
  it('answers the 21st request of a burst from one client with 429 and Retry-After; /metrics counts it', async () => {
    const port = await freePort();
    const demo = spawn(process.execPath, [bin, 'demo', '--port', String(port), '--rate-limit', '20/s'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let log = '';
        demo.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          log += chunk;
          if (log.includes('serving MCP on')) resolve();
        });
        demo.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${log}`)));
      });
      const ping = () =>
        fetch(`http://127.0.0.1:${port}/mcp`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2026-07-28',
            'mcp-method': 'tools/list',
          },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/list',
            params: {
              _meta: {
                'io.modelcontextprotocol/protocolVersion': '2026-07-28',
                'io.modelcontextprotocol/clientCapabilities': {},
              },
            },
          }),
        });
      // 20 per second with a burst of 20: a burst of 60 gets its first 20 (and what refills while
      // the rest arrive); everything past that is refused with the wait for the next token.
      const burst = await Promise.all(Array.from({ length: 60 }, ping));
      const admitted = burst.filter((r) => r.status === 200).length;
      const refused = burst.filter((r) => r.status !== 200);
      expect(admitted).toBeGreaterThanOrEqual(20);
      expect(refused.length).toBeGreaterThan(0);
      expect(new Set(refused.map((r) => `${r.status} retry-after: ${r.headers.get('retry-after')}`))).toEqual(
        new Set(['429 retry-after: 1']),
      );
      // Beside /mcp: every decision counted on /metrics, and the health probes.
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const decisions = (decision: string) =>
        Number(
          new RegExp(`^mcpkit_rate_limit_decisions_total\\{decision="${decision}"[^}]*\\} (\\d+)$`, 'm').exec(
            metrics,
          )?.[1],
        );
      expect(decisions('allowed')).toBe(admitted);
      expect(decisions('refused')).toBe(refused.length);
      expect(metrics).toMatch(
        /^mcp_server_operation_duration_count\{mcp_method_name="tools\/list",[^}]*\} \d+$/m,
      );
      const live = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(live.status).toBe(200);
      expect(await live.json()).toMatchObject({ status: 'ok' });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', load: { requests: { max: 1024 } } });
      const bad = await mcpkit('demo', '--port', '0', '--rate-limit', 'fast');
      expect(bad.stderr).toBe(
        'mcpkit: --rate-limit: a rate is a count per second, minute or hour, such as 20/s, 100/min or 1000/h; not "fast"\n',
      );
    } finally {
      demo.kill('SIGTERM');
    }
  });
});

describe('mcpkit demo --auth', () => {
  it('prints its keys, refuses a request without one (401 + metadata), and filters tools by role', async () => {
    const port = await freePort();
    const demo = spawn(process.execPath, [bin, 'demo', '--port', String(port), '--auth'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let log = '';
      await new Promise<void>((resolve, reject) => {
        demo.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          log += chunk;
          if (/reader key: \S+/.test(log)) resolve();
        });
        demo.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${log}`)));
      });
      const adminKey = /^api key: (mk_\S+)$/m.exec(log)?.[1] as string;
      const readerKey = /^reader key: (mk_\S+)/m.exec(log)?.[1] as string;
      const url = `http://127.0.0.1:${port}/mcp`;
      const metadataUrl = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`;
      const refused = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);
      expect(await (await fetch(metadataUrl)).json()).toMatchObject({ resource: url });
      const bare = await mcpkit('inspect', url);
      expect(bare.stderr).toBe(
        `mcpkit: Could not connect to ${url}: HTTP 401 Unauthorized: This MCP server needs a bearer token (resource metadata: ${metadataUrl}). Pass --token <token>, --api-key <key>, or --oauth to sign in.\n`,
      );
      const asAdmin = await mcpkit('call', url, 'echo', '{"text":"hi"}', '--token', adminKey);
      expect(asAdmin.stdout.trim()).toBe('hi');
      const viaHeader = await mcpkit('call', url, 'increment', '--api-key', adminKey);
      expect(viaHeader.code).toBe(0);
      const asReader = await mcpkit('inspect', url, '--json', '--api-key', readerKey);
      const tools = (JSON.parse(asReader.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name);
      expect(tools.sort()).toEqual(['add', 'echo', 'list_roots']);
      const denied = await mcpkit('call', url, 'increment', '--api-key', readerKey);
      expect(denied.stderr).toBe("mcpkit: Forbidden: the caller's roles do not allow tools:increment\n");
    } finally {
      demo.kill('SIGTERM');
    }
  });
});

describe('mcpkit --oauth', () => {
  /** Runs `mcpkit call` with `args` and waits for the sign-in URL it prints. */
  async function signingIn(args: string[]) {
    const cli = spawn(process.execPath, [bin, 'call', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    cli.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
    const signIn = await new Promise<string>((resolve, reject) => {
      cli.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const found = /^mcpkit: sign in at (\S+)$/m.exec(stderr);
        if (found) resolve(found[1] as string);
      });
      void exited.then(() => reject(new Error(`mcpkit exited: ${stderr}`)));
    });
    return { signIn, exited, stdout: () => stdout };
  }

  it('prints the sign-in URL, catches the redirect on loopback, and calls the protected server', async () => {
    const { browse, startOidcFixture } = await import('./helpers/oidc.js');
    const oidc = await startOidcFixture();
    try {
      const cli = await signingIn([oidc.mcpUrl, 'whoami', '--oauth']);
      // The browser: the provider signs alice in and sends her back to the command's loopback port.
      const landed = await browse(cli.signIn);
      expect(landed).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
      expect(await cli.exited).toBe(0);
      expect(cli.stdout().trim()).toMatch(/^alice \(.*mcp:read.*\)$/);
    } finally {
      await oidc.close();
    }
  });

  it('signs in as a pre-registered client on its registered loopback port', async () => {
    const { browse, startOidcFixture } = await import('./helpers/oidc.js');
    const port = await freePort();
    const oidc = await startOidcFixture([
      {
        client_id: 'mcpkit-cli',
        redirect_uris: [`http://127.0.0.1:${port}/callback`],
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ]);
    try {
      const cli = await signingIn([
        oidc.mcpUrl,
        'whoami',
        '--client-id',
        'mcpkit-cli',
        '--redirect-port',
        `${port}`,
      ]);
      expect(new URL(cli.signIn).searchParams.get('client_id')).toBe('mcpkit-cli');
      expect(await browse(cli.signIn)).toMatch(
        new RegExp(`^http://127\\.0\\.0\\.1:${port}/callback\\?code=`),
      );
      expect(await cli.exited).toBe(0);
      expect(cli.stdout().trim()).toMatch(/^alice \(.*mcp:read.*\)$/);
    } finally {
      await oidc.close();
    }
  });

  it('refuses a client secret without its client id', async () => {
    const cli = spawn(
      process.execPath,
      [bin, 'call', 'http://127.0.0.1:9/mcp', 'x', '--client-secret', 's'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    cli.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
    expect(await new Promise((resolve) => cli.once('exit', resolve))).toBe(1);
    expect(stderr).toContain('--client-secret goes with --client-id');
  });
});

describe.runIf(await serviceAvailable('Redis', 6379))('mcpkit demo --redis', () => {
  it('two demos on one Redis behave as one server: a session opened on one is served by the other', async () => {
    const ports = [await freePort(), await freePort()];
    const demos = ports.map((port) =>
      spawn(process.execPath, [bin, 'demo', '--port', String(port), '--redis', 'redis://127.0.0.1:6379'], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
    );
    try {
      await Promise.all(
        demos.map(
          (demo) =>
            new Promise<void>((resolve, reject) => {
              let log = '';
              demo.stderr.setEncoding('utf8').on('data', (chunk: string) => {
                log += chunk;
                if (log.includes('sessions, events and tasks on redis://')) resolve();
              });
              demo.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${log}`)));
            }),
        ),
      );
      const [one, two] = ports.map((p) => `http://127.0.0.1:${p}/mcp`) as [string, string];
      const sessionId = await openLegacySession(one);
      const headers = sessionHeaders(sessionId);
      await fetch(two, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      });
      // A call with progress through the second demo, SSE; its events resume through the first.
      const call = await fetch(two, {
        method: 'POST',
        headers: { ...headers, accept: 'text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'count', arguments: { to: 3, delayMs: 10 }, _meta: { progressToken: 'c' } },
        }),
      });
      const text = await call.text();
      expect(text).toContain('counted to 3');
      const firstId = /id: (\S+)\ndata: \{[^\n]*"progress":1/.exec(text)?.[1];
      const resumed = await fetch(one, {
        headers: { ...headers, accept: 'text/event-stream', 'last-event-id': firstId! },
      });
      const reader = resumed.body!.getReader();
      let replay = '';
      while (!replay.includes('counted to 3'))
        replay += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      expect([...replay.matchAll(/"progress":(\d)/g)].map((m) => m[1])).toEqual(['2', '3']);
      // A task started on the first demo is read, to its result, on the second.
      const created = await modernTaskRequest(one, 'tools/call', {
        name: 'slow_job',
        arguments: { ms: 200 },
      });
      const taskId = created.result?.taskId as string;
      expect(created.result?.status).toBe('working');
      await expect
        .poll(async () => (await modernTaskRequest(two, 'tasks/get', { taskId })).result?.status, {
          timeout: 5000,
        })
        .toBe('completed');
      expect((await modernTaskRequest(two, 'tasks/get', { taskId })).result?.result).toMatchObject({
        content: [{ type: 'text', text: 'job done after 200 ms' }],
      });
      // An elicitation in the modern era is an MRTR round: its state, signed by one demo, opens on the other.
      const asked = await modernTaskRequest(one, 'tools/call', { name: 'greet_user', arguments: {} });
      const round = asked.result as { resultType: string; requestState: string; inputRequests: object };
      expect(round.resultType).toBe('input_required');
      const key = Object.keys(round.inputRequests)[0]!;
      const answered = await modernTaskRequest(two, 'tools/call', {
        name: 'greet_user',
        arguments: {},
        requestState: round.requestState,
        inputResponses: { [key]: { action: 'accept', content: { name: 'Ada' } } },
      });
      expect(answered.result?.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
      // The GET stream: opened on the first demo, it carries an update announced on the second;
      // closed, the next update waits in Redis; resumed on the second demo with Last-Event-ID, it
      // arrives there.
      const post = (url: string, body: object) =>
        fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
      await post(one, {
        jsonrpc: '2.0',
        id: 10,
        method: 'resources/subscribe',
        params: { uri: 'demo://counter' },
      });
      const controller = new AbortController();
      const stream = await fetch(one, {
        headers: { ...headers, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      const liveReader = stream.body!.getReader();
      await post(two, {
        jsonrpc: '2.0',
        id: 11,
        method: 'tools/call',
        params: { name: 'increment', arguments: {} },
      });
      let live = '';
      while (!live.includes('resources/updated'))
        live += new TextDecoder().decode((await liveReader.read()).value);
      const seenId = /id: (\S+)\ndata: [^\n]*resources\/updated/.exec(live)?.[1];
      controller.abort();
      await post(two, {
        jsonrpc: '2.0',
        id: 12,
        method: 'tools/call',
        params: { name: 'increment', arguments: {} },
      });
      const resumedGet = await fetch(two, {
        headers: { ...headers, accept: 'text/event-stream', 'last-event-id': seenId! },
      });
      expect(resumedGet.status).toBe(200);
      const again = resumedGet.body!.getReader();
      let missed = '';
      while (!missed.includes('resources/updated'))
        missed += new TextDecoder().decode((await again.read()).value);
      await again.cancel();
      expect(missed.match(/resources\/updated/g)).toHaveLength(1);
      expect(/id: (\S+)\ndata: [^\n]*resources\/updated/.exec(missed)?.[1]).not.toBe(seenId);
      const ready = await fetch(one.replace('/mcp', '/readyz'));
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: { status: 'up' } } });
      // Ended through the first, unknown to the second.
      expect((await fetch(one, { method: 'DELETE', headers })).status).toBe(200);
      const after = await fetch(two, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
      });
      expect(after.status).toBe(404);
    } finally {
      for (const demo of demos) demo.kill('SIGTERM');
    }
  });
});
