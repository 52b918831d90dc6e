import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { McpServer } from '../../server/mcp-server.js';
import { StdioServerTransport } from './server.js';

/** A stdout whose reader stops reading until `release()`. */
function stalledOutput() {
  let flowing = false;
  let waiting: (() => void) | undefined;
  const lines: string[] = [];
  const output = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (flowing) callback();
      else waiting = callback;
    },
  });
  return {
    output,
    lines,
    release() {
      flowing = true;
      waiting?.();
    },
  };
}

const PING = (id: number) => `{"jsonrpc":"2.0","id":${id},"method":"ping"}\n`;

describe('stdio server back-pressure (hardening: answers piled up without limit)', () => {
  it('stops reading requests while stdout is not drained, and answers every one once it is', async () => {
    const server = new McpServer({ name: 'bp', version: '1' });
    const input = new PassThrough();
    const { output, lines, release } = stalledOutput();
    await server.connect(new StdioServerTransport({ input, output }));
    const total = 20_000;
    const INIT = JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    input.write(`${INIT}\n`);
    // Requests arrive in pipe-sized chunks, one per turn of the event loop, as from a real stdin.
    let chunk = '';
    for (let id = 1; id <= total; id++) {
      chunk += PING(id);
      if (chunk.length > 16 * 1024 || id === total) {
        input.write(chunk);
        chunk = '';
        await new Promise((r) => setImmediate(r));
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    // Reading stopped: most requests are still unread, and what waits to be written stays small.
    expect(input.isPaused()).toBe(true);
    expect(input.readableLength + input.writableLength).toBeGreaterThan(total * 10);
    expect(output.writableLength).toBeLessThan(256 * 1024);
    expect(output.listenerCount('drain')).toBeLessThanOrEqual(1);
    release();
    await expect.poll(() => lines.length, { timeout: 10_000, interval: 20 }).toBe(total + 1);
    const ids = new Set(lines.map((l) => JSON.parse(l).id));
    expect(ids.size).toBe(total + 1);
  });
});

describe('stdio line limit (a 4 MiB line cap used to win over a larger maxMessageLength)', () => {
  it('serveStdio keeps lines up to the server’s own maxMessageLength', async () => {
    const { serveStdio } = await import('./serve.js');
    const server = new McpServer(
      { name: 'big', version: '1' },
      { limits: { maxMessageLength: 12 * 1024 * 1024 } },
    );
    server.tool('len', { input: { type: 'object', properties: { s: { type: 'string' } } } }, (args) =>
      String((args as { s: string }).s.length),
    );
    const input = new PassThrough();
    const output = new PassThrough();
    let received = '';
    output.setEncoding('utf8').on('data', (c: string) => (received += c));
    await serveStdio(server, { input, output });
    input.write(
      '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n',
    );
    const s = 'q'.repeat(11 * 1024 * 1024);
    input.write(
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"len","arguments":{"s":"${s}"}}}\n`,
    );
    await expect.poll(() => received.includes('"id":1'), { timeout: 10_000 }).toBe(true);
    const answer = received
      .split('\n')
      .map((l) => (l ? JSON.parse(l) : {}))
      .find((m) => m.id === 1);
    expect(answer.result.content[0].text).toBe(String(s.length));
  });
});
