import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MODERN_META } from './http.js';

// test/fixtures/limited-server.mjs in a process of its own, and one modern tools/call against it.

const fixture = fileURLToPath(new URL('../fixtures/limited-server.mjs', import.meta.url));
const started: ChildProcess[] = [];

/** Starts a limited server with `args` (see the fixture); resolves with its URL. */
export function limitedServer(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    child
      .stdout!.setEncoding('utf8')
      .once('data', (line: string) => resolve(/listening (\S+)/.exec(line)![1]!));
    child.once('exit', (code) => reject(new Error(`the limited server exited with ${code}`)));
  });
}

/** Ends every process this module started (and any the caller hands it). */
export function stopAll(more: ChildProcess[] = []): void {
  for (const child of [...started, ...more]) child.kill('SIGKILL');
}

/** One modern tools/call: its status and Retry-After, or `hung` when no answer came within 5 s. */
export async function callTool(url: string, name = 'echo'): Promise<string> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': name,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name, arguments: name === 'echo' ? { text: 'x' } : {}, _meta: MODERN_META },
      }),
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    const retry = response.headers.get('retry-after');
    return retry ? `${response.status} retry-after ${retry}` : String(response.status);
  } catch {
    return 'hung';
  }
}

/** The resident set of a limited server's process, in bytes. */
export async function rssOf(url: string): Promise<number> {
  return Number(await (await fetch(url.replace(/\/mcp$/, '/__rss'))).text());
}
