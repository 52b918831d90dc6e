import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { demoCommand, until } from './helpers/demo.js';

type Message = Record<string, any>;

function start() {
  const { command, args } = demoCommand();
  const child = spawn(command, args, { stdio: 'pipe' }) as ChildProcessWithoutNullStreams;
  const lines: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const messages = () => lines.map((l) => JSON.parse(l) as Message);
  const send = (line: string) => child.stdin.write(`${line}\n`);
  const answer = async (id: unknown) => {
    await until(
      () => messages().some((m) => m.id === id && !m.method),
      `the answer to ${String(id)}`,
      10_000,
    );
    return messages().find((m) => m.id === id && !m.method)!;
  };
  return { child, lines, messages, send, answer, exited, stderr: () => stderr };
}

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 'init',
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

describe('the stdio server under bad input', () => {
  let proc: ReturnType<typeof start> | undefined;
  afterEach(() => {
    proc?.child.kill('SIGKILL');
  });

  it('answers each bad message with the right error and keeps serving', async () => {
    proc = start();
    const { send, answer, messages } = proc;
    send('{"jsonrpc":"2.0","id":"early","method":"tools/list"}');
    expect((await answer('early')).error.code).toBe(-32600);
    send(INIT);
    await answer('init');
    send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    send('{ not json');
    send('{"jsonrpc":"1.0","id":"v","method":"ping"}');
    send('{"jsonrpc":"2.0","id":"m","method":"no/such/method"}');
    send('{"jsonrpc":"2.0","id":"p","method":"tools/call","params":{"name":{"not":"a string"}}}');
    send(
      `{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"echo","arguments":{"text":"${'x'.repeat(11 * 1024 * 1024)}"}}}`,
    );
    send(
      `{"jsonrpc":"2.0","id":"five","method":"tools/call","params":{"name":"echo","arguments":{"text":"${'y'.repeat(5 * 1024 * 1024)}"}}}`,
    );
    send(
      `{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"echo","arguments":{"text":${'['.repeat(200_000)}${']'.repeat(200_000)}}}}`,
    );
    send(
      '{"jsonrpc":"2.0","id":"after","method":"tools/call","params":{"name":"echo","arguments":{"text":"still serving"}}}',
    );
    expect((await answer('after')).result.content).toEqual([{ type: 'text', text: 'still serving' }]);
    expect((await answer('v')).error.code).toBe(-32600);
    expect((await answer('m')).error.code).toBe(-32601);
    expect((await answer('p')).error.code).toBe(-32602);
    // Over the 10 Mi-character limit, or too deep: refused unparsed, yet with the request's id.
    expect((await answer('big')).error).toMatchObject({
      code: -32600,
      message: expect.stringMatching(/exceeds/),
    });
    expect((await answer('deep')).error).toMatchObject({
      code: -32600,
      message: expect.stringMatching(/depth 64/),
    });
    // 5 MiB is within the default limit (the official SDKs' stdio limit is 10 MiB too).
    expect((await answer('five')).result.content[0].text).toHaveLength(5 * 1024 * 1024);
    const nullIdErrors = messages()
      .filter((m) => m.id === null)
      .map((m) => m.error.message);
    expect(nullIdErrors).toEqual(['Parse error']);
    expect(proc.child.exitCode).toBeNull();
  });

  it('writes only JSON-RPC to stdout, and every progress report before the result', async () => {
    proc = start();
    const { send, answer, lines, messages } = proc;
    send(INIT);
    await answer('init');
    send(
      '{"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"count","arguments":{"to":3,"delayMs":0},"_meta":{"progressToken":"tok"}}}',
    );
    await answer('c');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const relevant = messages().filter((m) => m.params?.progressToken === 'tok' || m.id === 'c');
    expect(relevant.map((m) => m.params?.progress ?? 'result')).toEqual([1, 2, 3, 'result']);
    expect(proc.stderr()).toContain('mcpkit demo');
  });

  it('answers requests in flight, then exits 0, when stdin ends', async () => {
    proc = start();
    const { send, answer, child, exited } = proc;
    send(INIT);
    await answer('init');
    send(
      '{"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"count","arguments":{"to":2,"delayMs":100}}}',
    );
    child.stdin.end();
    expect(await exited).toBe(0);
    expect((await answer('slow')).result.content).toEqual([{ type: 'text', text: 'counted to 2' }]);
  });

  it('sends every answer it owes before it exits, even one queued just before stdin ended', async () => {
    proc = start();
    const { send, answer, child, exited } = proc;
    send(INIT);
    send(
      '{"jsonrpc":"2.0","id":"quick","method":"tools/call","params":{"name":"echo","arguments":{"text":"last words"}}}',
    );
    child.stdin.end();
    expect(await exited).toBe(0);
    expect((await answer('quick')).result.content).toEqual([{ type: 'text', text: 'last words' }]);
  });

  it('on SIGTERM answers a request still running after the grace period with an error, then exits 0', async () => {
    proc = start();
    const { send, answer, child, exited } = proc;
    send(INIT);
    await answer('init');
    send(
      '{"jsonrpc":"2.0","id":"long","method":"tools/call","params":{"name":"count","arguments":{"to":100,"delayMs":100}}}',
    );
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((await answer('long')).error).toMatchObject({
      code: -32000,
      message: expect.stringContaining('shut down'),
    });
  });

  it('exits 0 on SIGTERM', async () => {
    proc = start();
    await proc.answer(proc.send(INIT) && 'init');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });
});
