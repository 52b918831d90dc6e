import { createServer } from 'node:http';

export interface LoopbackRedirect {
  /** The redirect URI to register: `http://127.0.0.1:<port>/callback`. */
  readonly redirectUri: string;
  /** Resolves with the URL the browser was sent back to (its `code` and `state`), once. */
  readonly callback: Promise<URL>;
  close(): Promise<void>;
}

/**
 * Catches an OAuth redirect on a loopback port (RFC 8252 section 7.3), for command-line and
 * desktop clients: give `redirectUri` to `OAuthClient` and await `callback` in its `redirect`.
 * Port 0 picks a free one. Only GET on the callback path is answered; the server closes after it.
 */
export async function loopbackRedirect(
  options: { port?: number; path?: string; timeoutMs?: number } = {},
): Promise<LoopbackRedirect> {
  const path = options.path ?? '/callback';
  let resolve!: (url: URL) => void;
  let reject!: (error: Error) => void;
  const callback = new Promise<URL>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1`);
    if (req.method !== 'GET' || url.pathname !== path) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      .end('Signed in: you can close this window.\n');
    resolve(new URL(`${redirectUri}${url.search}`));
  });
  await new Promise<void>((res) => server.listen(options.port ?? 0, '127.0.0.1', res));
  const redirectUri = `http://127.0.0.1:${(server.address() as { port: number }).port}${path}`;
  const timer = setTimeout(
    () => reject(new Error(`No sign-in came back within ${(options.timeoutMs ?? 300_000) / 1000} s`)),
    options.timeoutMs ?? 300_000,
  );
  timer.unref();
  const close = () =>
    new Promise<void>((res) => {
      clearTimeout(timer);
      server.close(() => res());
      server.closeAllConnections?.();
    });
  void callback.then(close, close);
  return { redirectUri, callback, close };
}
