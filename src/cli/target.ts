import { Client, type ClientOptions } from '../client/index.js';
import { StdioClientTransport } from '../transports/index.js';
import { splitCommandLine } from './command-line.js';

export interface TargetOptions {
  stdio?: string;
  url?: string;
  era?: ClientOptions['era'];
  timeoutMs?: number;
}

/** Connects a client to the server a command names: `--stdio "<command line>"` (URLs come with Streamable HTTP). */
export async function connectTarget(target: TargetOptions): Promise<Client> {
  if (target.url)
    throw new Error(
      'http(s) targets need the Streamable HTTP transport, which this build does not have yet; use --stdio',
    );
  if (!target.stdio) throw new Error('Name a server: --stdio "<command line>"');
  const [command, ...args] = splitCommandLine(target.stdio);
  if (!command) throw new Error('--stdio needs a command line');
  const client = new Client(
    { name: 'mcpkit-cli', version: '0.1.0' },
    {
      ...(target.era ? { era: target.era } : {}),
      ...(target.timeoutMs ? { requestTimeoutMs: target.timeoutMs } : {}),
    },
  );
  let stderr = '';
  const transport = new StdioClientTransport({
    command,
    args,
    stderr: 'pipe',
    onStderr: (text) => void (stderr = (stderr + text).slice(-4000)),
  });
  try {
    await client.connect(transport);
  } catch (error) {
    const detail = stderr.trim() ? `\n--- server stderr ---\n${stderr.trim()}` : '';
    throw new Error(`Could not connect to ${target.stdio}: ${(error as Error).message}${detail}`);
  }
  return client;
}
