import type { Transport } from '../../engine/transport.js';
import { type StdioServerOptions, StdioServerTransport } from './server.js';

export interface Servable {
  connect(transport: Transport): Promise<unknown>;
  close(): Promise<void>;
  /** The server's message limit: stdin lines are kept up to it, so a larger limit is honoured. */
  readonly maxMessageLength?: number;
}

/**
 * Serves a server over this process's stdio and exits cleanly: on end of stdin (the client's
 * shutdown signal) and on SIGTERM or SIGINT.
 */
export async function serveStdio(server: Servable, options: StdioServerOptions = {}): Promise<void> {
  const transport = new StdioServerTransport({
    ...(server.maxMessageLength !== undefined ? { maxLineLength: server.maxMessageLength + 1 } : {}),
    ...options,
    closeOnInputEnd: false,
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await server.close().catch(() => {});
    process.exit(code);
  };
  (options.input ?? process.stdin).once('end', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  process.once('SIGINT', () => void stop(0));
  await server.connect(transport);
}
