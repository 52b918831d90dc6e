import { loopbackRedirect } from '../adapters/loopback-redirect.js';
import { OAuthClient } from '../auth/index.js';
import { Client, type ClientOptions, type InputHandlers } from '../client/index.js';
import { StdioClientTransport, StreamableHttpClientTransport } from '../transports/index.js';
import { splitCommandLine } from './command-line.js';

export interface TargetOptions {
  stdio?: string;
  url?: string;
  era?: ClientOptions['era'];
  timeoutMs?: number;
  /** Headers on every HTTP request (credentials). */
  headers?: Record<string, string>;
  /** Sign in with OAuth when the server asks: the sign-in URL is shown, the redirect caught on loopback. */
  oauth?: OAuthSignIn;
}

/** How the command line signs in: as a pre-registered client, or registering itself. */
export interface OAuthSignIn {
  clientId?: string;
  clientSecret?: string;
  /** The loopback port registered with the client's redirect URI. Default: any free port. */
  redirectPort?: number;
}

/** What a stray stdout line means for an MCP server, and where its output belongs. */
export function strayLineWarning(line: string): string {
  const shown = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return `the server wrote a line that is not JSON-RPC to stdout: "${shown}". An MCP server over stdio must write only protocol messages there; logs belong on stderr.`;
}

/**
 * Connects a client to the server a command names: an http(s) URL or `--stdio "<command line>"`.
 * `warn` receives what the user should know but that does not stop the command.
 */
export async function connectTarget(
  target: TargetOptions,
  answers: InputHandlers = {},
  warn: (text: string) => void = () => {},
): Promise<Client> {
  const options: ClientOptions = {
    ...answers,
    ...(target.era ? { era: target.era } : {}),
    ...(target.timeoutMs ? { requestTimeoutMs: target.timeoutMs, probeTimeoutMs: target.timeoutMs } : {}),
  };
  const client = new Client({ name: 'mcpkit-cli', version: '0.1.0' }, options);
  if (target.url) {
    const { oauth } = target;
    const loopback = oauth
      ? await loopbackRedirect(oauth.redirectPort ? { port: oauth.redirectPort } : {})
      : undefined;
    const authorization = loopback
      ? new OAuthClient({
          redirectUri: loopback.redirectUri,
          clientName: 'mcpkit command line',
          ...(oauth?.clientId ? { clientId: oauth.clientId } : {}),
          ...(oauth?.clientSecret ? { clientSecret: oauth.clientSecret } : {}),
          redirect: async (url) => {
            warn(`sign in at ${url.href}`);
            return loopback.callback;
          },
        })
      : undefined;
    try {
      await client.connect(
        new StreamableHttpClientTransport(target.url, {
          ...(target.headers ? { headers: target.headers } : {}),
          ...(authorization ? { authorization } : {}),
        }),
      );
    } catch (error) {
      // The transport names the URL itself; say it once.
      const reason = (error as Error).message.replace(`Cannot reach ${target.url}: `, '');
      const advice = /ECONNREFUSED/.test(reason)
        ? ' Is the server running, and on that port?'
        : /^HTTP 401/.test(reason)
          ? ' Pass --token <token>, --api-key <key>, or --oauth to sign in.'
          : '';
      throw new Error(`Could not connect to ${target.url}: ${reason}.${advice}`);
    } finally {
      void loopback?.close();
    }
    return client;
  }
  if (!target.stdio) throw new Error('Name a server: an http(s) URL or --stdio "<command line>"');
  const [command, ...args] = splitCommandLine(target.stdio);
  if (!command) throw new Error('--stdio needs a command line');
  let stderr = '';
  let stray: string | undefined;
  const transport = new StdioClientTransport({
    command,
    args,
    stderr: 'pipe',
    onStderr: (text) => void (stderr = (stderr + text).slice(-4000)),
    onStrayLine: (line) => {
      if (stray === undefined) {
        stray = line;
        warn(strayLineWarning(line));
      }
    },
  });
  try {
    await client.connect(transport);
  } catch (error) {
    const detail = stderr.trim() ? `\n--- server stderr ---\n${stderr.trim()}` : '';
    throw new Error(`Could not connect to ${target.stdio}: ${(error as Error).message}${detail}`);
  }
  return client;
}
