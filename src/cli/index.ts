import { relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { serveHttp } from '../adapters/index.js';
import { health } from '../health/index.js';
import { parseRate, rateLimit } from '../limits/index.js';
import type { CallToolResult } from '../protocol/index.js';
import { createLegacySseHandler, createStreamableHttpHandler, serveStdio } from '../transports/index.js';
import { answersOf } from './answers.js';
import { createDemoServer } from './demo.js';
import { protectDemo } from './demo-auth.js';
import { demoObservability } from './demo-observability.js';
import { demoRedis } from './demo-redis.js';
import { capabilityHint, isInvalidParams, missingCapability, unknownToolMessage } from './explain.js';
import type { Ask } from './form.js';
import { formatInspection, inspect } from './inspect.js';
import { connectTarget, type OAuthSignIn, type TargetOptions } from './target.js';

export { createDemoServer } from './demo.js';

const USAGE = `mcpkit <command> [options]

Commands:
  demo --stdio [--page-size N]            run the demo MCP server over stdio
  demo --port N [--host H] [--auth]       run it on http://H:N/mcp (Streamable HTTP, both eras);
                                          --auth: API keys and roles, printed at start
       [--rate-limit <n>/s|min|h]         limit each client to that rate (burst: n); refusals
                                          are 429 with Retry-After over HTTP
       [--redis redis://host:port]        sessions, events and tasks on Redis: demos on several
                                          ports behave as one server
  inspect <target> [--json]               show a server's identity, era, capabilities, tools,
                                          resources, templates and prompts
  call <target> <tool> [json-args] [--json]
                                          call a tool and print its result

Targets:
  http(s)://host/path                     a Streamable HTTP endpoint
  --stdio "<command line>"                spawn a server and talk to it over stdio

Options:
  --era auto|legacy|modern                force an era (default: auto, probing the modern one)
  --timeout <ms>                          request timeout
  --json                                  machine-readable output
  --elicit <json>|accept|decline|cancel   answer the server's elicitation without asking
                                          (in a terminal, mcpkit asks you field by field)
  --root <path or URI>                    offer a root to the server (repeatable)
  --token <token>                         send Authorization: Bearer <token> (HTTP targets)
  --api-key <key>                         send X-API-Key: <key> (HTTP targets)
  --oauth                                 sign in with OAuth when the server asks (prints the
                                          URL to open; the redirect comes back to a loopback port)
  --client-id <id>                        sign in as this pre-registered OAuth client (implies --oauth)
  --client-secret <secret>                its secret, for a confidential client
  --redirect-port <port>                  the loopback port registered for it (default: any free one)
`;

const CLIENT_OPTIONS = {
  stdio: { type: 'string' },
  json: { type: 'boolean' },
  era: { type: 'string' },
  timeout: { type: 'string' },
  elicit: { type: 'string' },
  root: { type: 'string', multiple: true },
  token: { type: 'string' },
  'api-key': { type: 'string' },
  oauth: { type: 'boolean' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'redirect-port': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** `demo --stdio` names a transport to serve on, not a server to run: a flag there. */
const DEMO_OPTIONS = {
  stdio: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  'page-size': { type: 'string' },
  auth: { type: 'boolean' },
  'rate-limit': { type: 'string' },
  redis: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** A positional that names a server without its scheme: `localhost:3000/mcp`, `example.com/mcp`. */
const HOST_WITHOUT_SCHEME =
  /^(?:localhost|[\w-]+(?:\.[\w-]+)+|\[[\da-f:]+\])(?::\d+)?(?:\/\S*)?$|^[\w.-]+:\d+(?:\/\S*)?$/i;

function targetOf(
  values: {
    stdio?: string | undefined;
    era?: string | undefined;
    timeout?: string | undefined;
    token?: string | undefined;
    'api-key'?: string | undefined;
    oauth?: boolean | undefined;
    'client-id'?: string | undefined;
    'client-secret'?: string | undefined;
    'redirect-port'?: string | undefined;
  },
  positionals: string[],
) {
  const url = positionals.find((p) => /^https?:\/\//.test(p));
  const era = values.era;
  if (era !== undefined && era !== 'auto' && era !== 'legacy' && era !== 'modern')
    throw new Error(`--era must be auto, legacy or modern, not ${era}`);
  if (!url && !values.stdio) {
    const first = positionals[0];
    if (first !== undefined && HOST_WITHOUT_SCHEME.test(first))
      throw new Error(`${first} needs a scheme: http://${first} (or https://)`);
    throw new Error('Name a server: an http(s) URL or --stdio "<command line>"');
  }
  const target: TargetOptions = {
    ...(values.stdio ? { stdio: values.stdio } : {}),
    ...(url ? { url } : {}),
    ...(era ? { era } : {}),
    ...(values.timeout !== undefined ? { timeoutMs: wholeNumber('--timeout', values.timeout, 1) } : {}),
    ...(values.token ? { headers: { authorization: `Bearer ${values.token}` } } : {}),
    ...(values['api-key'] ? { headers: { 'x-api-key': values['api-key'] } } : {}),
    ...(values.oauth || values['client-id'] || values['client-secret'] ? { oauth: oauthOf(values) } : {}),
  };
  return { target, rest: positionals.filter((p) => p !== url) };
}

/** The OAuth sign-in the flags ask for: a pre-registered client, or registration at the server. */
function oauthOf(values: {
  'client-id'?: string | undefined;
  'client-secret'?: string | undefined;
  'redirect-port'?: string | undefined;
}): OAuthSignIn {
  if (values['client-secret'] && !values['client-id'])
    throw new Error('--client-secret goes with --client-id (the client it belongs to)');
  return {
    ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
    ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
    ...(values['redirect-port'] !== undefined
      ? { redirectPort: wholeNumber('--redirect-port', values['redirect-port'], 1, 65535) }
      : {}),
  };
}

/** `--rate-limit 20/s`: the rate, its period, and a burst of the same size. */
function rateLimitFlag(text: string) {
  try {
    return parseRate(text);
  } catch (error) {
    throw new Error(`--rate-limit: ${(error as Error).message}`);
  }
}

/** A numeric flag's value, or an error naming the flag and what it takes. */
function wholeNumber(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new Error(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

/** A person answering at this terminal, prompted on stderr so that stdout keeps only the result. */
function terminalAsk(): Ask | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}

const warn = (text: string) => void process.stderr.write(`mcpkit: ${text}\n`);
const write = (text: string) => void process.stderr.write(text);

function formatResult(result: CallToolResult): string {
  const parts = result.content.map((item) => (item.type === 'text' ? item.text : JSON.stringify(item)));
  if (result.structuredContent !== undefined && parts.length === 0)
    parts.push(JSON.stringify(result.structuredContent, null, 2));
  return parts.join('\n');
}

/** The `mcpkit` command. Returns the exit code for commands that finish. */
export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'demo') {
    const { values } = parseArgs({ args: rest, options: DEMO_OPTIONS, strict: true });
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const pageSize = values['page-size'];
    const port = values.port === undefined ? undefined : wholeNumber('--port', values.port, 0, 65535);
    // Over HTTP the demo shows its metrics and health beside /mcp.
    const observability = port === undefined ? undefined : await demoObservability();
    const telemetry = observability?.telemetry;
    if (values.redis !== undefined && port === undefined)
      throw new Error('--redis shares HTTP sessions between demos: use it with --port');
    const shared = values.redis !== undefined ? await demoRedis(values.redis) : undefined;
    const demo = createDemoServer({
      ...(pageSize ? { pageSize: wholeNumber('--page-size', pageSize, 1) } : {}),
      ...(telemetry ? { telemetry } : {}),
      ...(shared
        ? { taskStore: shared.taskStore, bus: shared.bus, requestStateSecret: shared.requestStateSecret }
        : {}),
    });
    // Limits come first, before roles: a flood of refused requests is still a flood.
    if (values['rate-limit'] !== undefined) {
      const limit = rateLimitFlag(values['rate-limit']);
      demo.use(
        rateLimit({
          limits: [{ name: 'per-client', per: 'principal', ...limit }],
          ...(telemetry ? { telemetry } : {}),
        }),
      );
    }
    if (port === undefined || observability === undefined) {
      await serveStdio(demo);
      process.stderr.write('mcpkit demo: serving MCP over stdio (both eras)\n');
      return undefined;
    }
    const host = values.host ?? '127.0.0.1';
    const protection = values.auth ? await protectDemo(demo, `http://${host}:${port}/mcp`) : undefined;
    const handler = createStreamableHttpHandler(demo, {
      ...(protection ? { auth: protection.auth } : {}),
      ...(shared
        ? { sessionStore: shared.sessionStore, eventStore: shared.eventStore, bus: shared.bus }
        : {}),
    });
    // Old (2024-11-05) clients: GET /sse for the event stream, POST /messages for messages.
    const legacySse = createLegacySseHandler(demo, protection ? { auth: protection.auth } : {});
    const probes = health({
      server: demo,
      handlers: [handler],
      ...(shared ? { checks: { redis: shared.check } } : {}),
    });
    const http = await serveHttp(handler, {
      port,
      host,
      routes: {
        '/sse': legacySse,
        '/messages': legacySse,
        '/metrics': observability.metrics,
        ...probes.routes,
        ...protection?.auth.routes,
      },
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        throw new Error(
          `port ${port} on ${host} is already in use: stop what is using it, or choose another with --port`,
        );
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        throw new Error(`cannot listen on ${host}: it is not an address of this machine (--host)`);
      throw error;
    });
    process.stderr.write(
      `mcpkit demo: serving MCP on ${http.url} (Streamable HTTP, both eras; HTTP+SSE on /sse${protection ? '; API keys and roles' : ''})\n` +
        `metrics on ${http.url.replace(/\/mcp$/, '/metrics')}, health on /healthz and /readyz${shared ? `; sessions, events and tasks on ${values.redis}` : ''}\n` +
        `try it: node ${relative(process.cwd(), process.argv[1] ?? 'mcpkit')} inspect ${http.url}${protection ? ' --api-key <key>' : ''}   (Ctrl-C stops it)\n`,
    );
    if (protection) {
      process.stderr.write(
        `api key: ${protection.adminKey}\nreader key: ${protection.readerKey} (sees echo, add and list_roots only)\n`,
      );
    }
    // Requests in flight get their grace period and then an error answer; only then do sessions,
    // streams and connections close.
    const stop = async () => {
      await demo.close(2000);
      await handler.close();
      await legacySse.close();
      await http.close();
      await shared?.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    return undefined;
  }
  const { values, positionals: args } = parseArgs({
    args: rest,
    options: CLIENT_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  switch (command) {
    case 'inspect': {
      const { target } = targetOf(values, args);
      const client = await connectTarget(target, answersOf(values, terminalAsk(), write), warn);
      try {
        const report = await inspect(client);
        process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatInspection(report)}\n`);
      } finally {
        await client.close();
      }
      return 0;
    }
    case 'call': {
      const { target, rest } = targetOf(values, args);
      const [tool, json] = rest;
      if (!tool) throw new Error('Name the tool to call: mcpkit call <target> <tool> [json-args]');
      let toolArgs: Record<string, unknown> = {};
      if (json !== undefined) {
        try {
          toolArgs = JSON.parse(json);
        } catch {
          throw new Error(`The arguments of ${tool} are not valid JSON: ${json}`);
        }
      }
      const answers = answersOf(values, terminalAsk(), write);
      const client = await connectTarget(target, answers, warn);
      try {
        let result: CallToolResult;
        try {
          result = await client.callTool(tool, toolArgs);
        } catch (error) {
          const capability = missingCapability(error);
          if (capability) throw new Error(capabilityHint(capability));
          const unknown = isInvalidParams(error) ? await unknownToolMessage(client, tool) : undefined;
          throw unknown ? new Error(unknown) : error;
        }
        process.stdout.write(`${values.json ? JSON.stringify(result, null, 2) : formatResult(result)}\n`);
        const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
        const capability = result.isError ? missingCapability(undefined, text) : undefined;
        if (capability) warn(capabilityHint(capability));
        return result.isError ? 1 : 0;
      } finally {
        await client.close();
      }
    }
    default:
      process.stderr.write(`mcpkit: unknown command ${command}\n\n${USAGE}`);
      return 2;
  }
}
