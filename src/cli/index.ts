import { parseArgs } from 'node:util';
import { serveHttp } from '../adapters/index.js';
import type { CallToolResult } from '../protocol/index.js';
import { createLegacySseHandler, createStreamableHttpHandler, serveStdio } from '../transports/index.js';
import { createDemoServer } from './demo.js';
import { formatInspection, inspect } from './inspect.js';
import { connectTarget, type TargetOptions } from './target.js';

export { createDemoServer } from './demo.js';

const USAGE = `mcpkit <command> [options]

Commands:
  demo --stdio [--page-size N]            run the demo MCP server over stdio
  demo --port N [--host H]                run it on http://H:N/mcp (Streamable HTTP, both eras)
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
`;

const CLIENT_OPTIONS = {
  stdio: { type: 'string' },
  json: { type: 'boolean' },
  era: { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** `demo --stdio` names a transport to serve on, not a server to run: a flag there. */
const DEMO_OPTIONS = {
  stdio: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  'page-size': { type: 'string' },
  help: { type: 'boolean' },
} as const;

function targetOf(
  values: { stdio?: string | undefined; era?: string | undefined; timeout?: string | undefined },
  positionals: string[],
) {
  const url = positionals.find((p) => /^https?:\/\//.test(p));
  const era = values.era;
  if (era !== undefined && era !== 'auto' && era !== 'legacy' && era !== 'modern')
    throw new Error(`--era must be auto, legacy or modern, not ${era}`);
  const target: TargetOptions = {
    ...(values.stdio ? { stdio: values.stdio } : {}),
    ...(url ? { url } : {}),
    ...(era ? { era } : {}),
    ...(values.timeout ? { timeoutMs: Number(values.timeout) } : {}),
  };
  return { target, rest: positionals.filter((p) => p !== url) };
}

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
    const demo = createDemoServer(pageSize ? { pageSize: Number(pageSize) } : {});
    if (values.port === undefined) {
      await serveStdio(demo);
      process.stderr.write('mcpkit demo: serving MCP over stdio (both eras)\n');
      return undefined;
    }
    const handler = createStreamableHttpHandler(demo);
    // Old (2024-11-05) clients: GET /sse for the event stream, POST /messages for messages.
    const legacySse = createLegacySseHandler(demo);
    const http = await serveHttp(handler, {
      port: Number(values.port),
      ...(values.host ? { host: values.host } : {}),
      routes: { '/sse': legacySse, '/messages': legacySse },
    });
    process.stderr.write(
      `mcpkit demo: serving MCP on ${http.url} (Streamable HTTP, both eras; HTTP+SSE on /sse)\n`,
    );
    // Requests in flight get their grace period and then an error answer; only then do sessions,
    // streams and connections close.
    const stop = async () => {
      await demo.close(2000);
      await handler.close();
      await legacySse.close();
      await http.close();
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
      const client = await connectTarget(target);
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
          throw new Error(`The tool arguments are not valid JSON: ${json}`);
        }
      }
      const client = await connectTarget(target);
      try {
        const result = await client.callTool(tool, toolArgs);
        process.stdout.write(`${values.json ? JSON.stringify(result, null, 2) : formatResult(result)}\n`);
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
