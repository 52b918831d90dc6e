import { fileURLToPath } from 'node:url';

/** The built CLI (npm test builds first), run with the Node running the tests. */
export const CLI = fileURLToPath(new URL('../../bin/mcpkit.js', import.meta.url));

export function demoCommand(...extra: string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [CLI, 'demo', '--stdio', ...extra] };
}

/** Resolves once `predicate` holds, polling; rejects after `timeoutMs` with `what` in the message. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Collects every item of a paginated list, following nextCursor. */
export async function collectPages<T>(
  list: (params: { cursor?: string }) => Promise<{ nextCursor?: string } & Record<string, unknown>>,
  key: string,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor ? { cursor } : {});
    items.push(...(page[key] as T[]));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
}

/** A fixture server script under test/fixtures, run with this Node. */
export function fixtureCommand(name: string): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))],
  };
}

/** Starts a fixture server's HTTP mode; resolves with its URL and a stop function. */
export async function fixtureHttp(
  name: string,
  mode: '--http' | '--sse' = '--http',
): Promise<{ url: string; stop(): void }> {
  const { spawn } = await import('node:child_process');
  const { command, args } = fixtureCommand(name);
  const child = spawn(command, [...args, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout
      .setEncoding('utf8')
      .once('data', (line: string) => resolve(/listening (\d+)/.exec(line)?.[1] ?? ''));
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/${mode === '--sse' ? 'sse' : 'mcp'}`,
    stop: () => void child.kill(),
  };
}
