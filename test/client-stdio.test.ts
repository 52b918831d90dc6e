import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Client } from '../src/client/index.js';
import { ErrorCode } from '../src/protocol/index.js';
import { StdioClientTransport } from '../src/transports/index.js';
import { CLI, demoCommand } from './helpers/demo.js';

const node = process.execPath;
const run = promisify(execFile);

function client() {
  return new Client({ name: 'errors', version: '1' }, { probeTimeoutMs: 500, requestTimeoutMs: 5000 });
}

describe('errors a user meets over stdio are clear', () => {
  it('server not found', async () => {
    await expect(
      client().connect(new StdioClientTransport({ command: 'no-such-mcp-server-xyz' })),
    ).rejects.toThrow('MCP server command not found: no-such-mcp-server-xyz');
  });

  it('the child exits before answering', async () => {
    const transport = new StdioClientTransport({
      command: node,
      args: ['-e', 'process.exit(3)'],
      stderr: 'ignore',
    });
    await expect(client().connect(transport)).rejects.toThrow(/exited with code 3/);
  });

  it('the child dies with requests pending: each fails with the reason', async () => {
    const c = client();
    const { command, args } = demoCommand();
    const transport = new StdioClientTransport({ command, args, stderr: 'ignore' });
    await c.connect(transport);
    const calls = [
      c.callTool('count', { to: 100, delayMs: 100 }),
      c.callTool('count', { to: 100, delayMs: 100 }),
    ];
    await new Promise((r) => setTimeout(r, 50));
    process.kill(transport.pid!, 'SIGKILL');
    for (const call of calls) {
      await expect(call).rejects.toMatchObject({
        code: ErrorCode.ConnectionClosed,
        message: expect.stringMatching(/killed by SIGKILL/),
      });
    }
    await expect(c.callTool('echo', { text: 'x' })).rejects.toMatchObject({ kind: 'not-connected' });
  });

  it('a timeout names the method and the time', async () => {
    const c = client();
    const { command, args } = demoCommand();
    await c.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
    await expect(c.callTool('count', { to: 10, delayMs: 1000 }, { timeoutMs: 100 })).rejects.toMatchObject({
      code: ErrorCode.RequestTimeout,
      message: 'Request tools/call timed out after 100 ms',
    });
    await c.close();
  });

  it('a server that is not MCP at all falls through the probe and fails initialize with a timeout', async () => {
    const c = new Client({ name: 'errors', version: '1' }, { probeTimeoutMs: 200, requestTimeoutMs: 300 });
    const transport = new StdioClientTransport({
      command: node,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      stderr: 'ignore',
      closeGraceMs: 100,
    });
    await expect(c.connect(transport)).rejects.toMatchObject({
      code: ErrorCode.RequestTimeout,
      message: expect.stringMatching(/initialize/),
    });
  });
});

describe('closing a stdio server', () => {
  it('ends stdin first: a well-behaved server exits by itself', async () => {
    const { command, args } = demoCommand();
    const exits: Array<string | number | null> = [];
    const transport = new StdioClientTransport({ command, args, stderr: 'ignore' });
    await transport.start({ onFrame: () => {}, onClose: () => void exits.push('closed') });
    await transport.close();
    expect(exits).toEqual(['closed']);
  });

  it('escalates to SIGTERM, then SIGKILL, for a server that ignores both', async () => {
    const stubborn =
      "process.on('SIGTERM', () => {}); process.stdin.resume(); process.stdin.on('end', () => {}); setInterval(() => {}, 1000)";
    const transport = new StdioClientTransport({
      command: node,
      args: ['-e', stubborn],
      stderr: 'ignore',
      closeGraceMs: 150,
    });
    await transport.start({ onFrame: () => {}, onClose: () => {} });
    const pid = transport.pid!;
    await transport.close();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});

/** Whether `pid` runs (a zombie, exited but not yet reaped, does not). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): alive as far as we can tell
  }
}

describe('closing a server started through a wrapper (npx, a shell script)', () => {
  it('stops what the wrapper started too, not only the wrapper', async () => {
    // A wrapper like npm: it starts the real server, exits on SIGTERM, and does not pass it on.
    const wrapper = [
      "const { spawn } = require('node:child_process');",
      "const server = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });",
      'console.log(JSON.stringify({ grandchild: server.pid }));',
      "process.on('SIGTERM', () => process.exit(0));",
      'process.stdin.resume();',
    ].join('\n');
    let grandchild: number | undefined;
    const transport = new StdioClientTransport({
      command: node,
      args: ['-e', wrapper],
      stderr: 'ignore',
      closeGraceMs: 150,
    });
    const announced = new Promise<void>((resolve) =>
      transport.start({
        onFrame: (line) => {
          grandchild = (JSON.parse(line) as { grandchild: number }).grandchild;
          resolve();
        },
        onClose: () => {},
      }),
    );
    await announced;
    expect(running(grandchild!)).toBe(true);
    await transport.close();
    // Signals take a moment to land; a stopped process may linger as a zombie until it is reaped.
    for (let i = 0; i < 50 && running(grandchild!); i++) await new Promise((r) => setTimeout(r, 20));
    expect(running(grandchild!)).toBe(false);
  });
});

describe('mcpkit inspect and call', () => {
  const everything = 'npx -y @modelcontextprotocol/server-everything';

  it('inspect lists the everything server tools, resources and prompts', async () => {
    const { stdout } = await run(node, [CLI, 'inspect', '--stdio', everything, '--json'], {
      timeout: 60_000,
    });
    const report = JSON.parse(stdout);
    expect(report.server.name).toBe('mcp-servers/everything');
    expect(report.era).toBe('legacy');
    expect(report.tools.map((t: { name: string }) => t.name)).toContain('echo');
    expect(report.resources.length).toBeGreaterThan(0);
    expect(report.prompts.length).toBeGreaterThan(0);
  });

  it('inspect prints a readable report of mcpkit demo in the modern era', async () => {
    const { stdout } = await run(node, [CLI, 'inspect', '--stdio', `"${node}" "${CLI}" demo --stdio`]);
    expect(stdout).toMatch(/^Server: +mcpkit-demo 0\.1\.0/);
    expect(stdout).toContain('Era:           modern (2026-07-28)');
    expect(stdout).toMatch(/Tools \(9\)\n {2}echo — Returns the text it is given/);
    expect(stdout).toContain('demo://users/{id}  user');
    expect(stdout).toContain('greeting(name, style?)');
  });

  it('runs a 2025-11-25 task on the everything server: create, poll, result, list', async () => {
    const c = new Client({ name: 'tasks', version: '1' });
    const [command, ...args] = everything.split(' ');
    await c.connect(new StdioClientTransport({ command: command!, args, stderr: 'ignore' }));
    try {
      const task = await c.callToolAsTask('simulate-research-query', { topic: 'MCP' }, 60_000);
      expect(task).toMatchObject({ taskId: expect.any(String), status: 'working' });
      expect((await c.getTask(task.taskId)).taskId).toBe(task.taskId);
      const result = (await c.getTaskResult(task.taskId, { timeoutMs: 30_000 })) as {
        content: Array<{ text?: string }>;
      };
      expect(result.content[0]?.text).toContain('MCP');
      expect((await c.getTask(task.taskId)).status).toBe('completed');
      expect((await c.listTasks()).items.map((t) => t.taskId)).toContain(task.taskId);
    } finally {
      await c.close();
    }
  });

  it('call calls a tool and prints its text', async () => {
    const { stdout } = await run(
      node,
      [CLI, 'call', '--stdio', everything, 'echo', '{"message":"hello cli"}'],
      { timeout: 60_000 },
    );
    expect(stdout.trim()).toBe('Echo: hello cli');
  });

  it('call --json prints the whole result; a tool error exits 1', async () => {
    const { stdout } = await run(node, [
      CLI,
      'call',
      '--json',
      '--stdio',
      `"${node}" "${CLI}" demo --stdio`,
      'add',
      '{"a":2,"b":3}',
    ]);
    expect(JSON.parse(stdout)).toEqual({
      content: [{ type: 'text', text: '{"sum":5}' }],
      structuredContent: { sum: 5 },
    });
    const failed = await run(node, [
      CLI,
      'call',
      '--stdio',
      `"${node}" "${CLI}" demo --stdio`,
      'echo',
      '{"text":7}',
    ]).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/Invalid arguments for tool echo/);
  });

  it('reports a missing server and bad arguments clearly', async () => {
    const missing = await run(node, [CLI, 'inspect', '--stdio', 'no-such-mcp-server-xyz']).catch((e) => e);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('MCP server command not found: no-such-mcp-server-xyz');
    const badJson = await run(node, [CLI, 'call', '--stdio', 'x', 'echo', '{nope']).catch((e) => e);
    expect(badJson.stderr).toBe('mcpkit: The arguments of echo are not valid JSON: {nope\n');
  });
});

describe('mcpkit inspect and call over Streamable HTTP', () => {
  it('inspects and calls the demo by URL', async () => {
    const { httpServer } = await import('./helpers/http.js');
    const server = await httpServer();
    try {
      const { stdout } = await run(node, [CLI, 'inspect', server.url]);
      expect(stdout).toContain('Era:           modern (2026-07-28)');
      const call = await run(node, [CLI, 'call', server.url, 'echo', '{"text":"via url"}']);
      expect(call.stdout.trim()).toBe('via url');
    } finally {
      await server.close();
    }
  });
});
