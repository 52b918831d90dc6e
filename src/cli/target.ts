import { Client, type ClientOptions } from '../client/index.js';
import { StdioClientTransport, StreamableHttpClientTransport } from '../transports/index.js';
import { splitCommandLine } from './command-line.js';

export interface TargetOptions {
  stdio?: string;
  url?: string;
  era?: ClientOptions['era'];
  timeoutMs?: number;
}

/** Connects a client to the server a command names: an http(s) URL or `--stdio "<command line>"`. */
export async function connectTarget(target: TargetOptions): Promise<Client> {
  const options: ClientOptions = {
    ...(target.era ? { era: target.era } : {}),
    ...(target.timeoutMs ? { requestTimeoutMs: target.timeoutMs } : {}),
  };
  const client = new Client({ name: 'mcpkit-cli', version: '0.1.0' }, options);
  if (target.url) {
    try {
      await client.connect(new StreamableHttpClientTransport(target.url));
    } catch (error) {
      throw new Error(`Could not connect to ${target.url}: ${(error as Error).message}`);
    }
    return client;
  }
  if (!target.stdio) throw new Error('Name a server: an http(s) URL or --stdio "<command line>"');
  const [command, ...args] = splitCommandLine(target.stdio);
  if (!command) throw new Error('--stdio needs a command line');
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
