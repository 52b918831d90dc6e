import { serveStdio } from '../transports/index.js';
import { createDemoServer } from './demo.js';

export { createDemoServer } from './demo.js';

const USAGE = `mcpkit <command>

Commands:
  demo --stdio [--page-size N]   run the demo MCP server over stdio
  help                           show this text
`;

function optionValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The `mcpkit` command. Returns the exit code for commands that finish. */
export async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo':
      if (rest.includes('--stdio') || rest.length === 0) {
        const pageSize = optionValue(rest, '--page-size');
        await serveStdio(createDemoServer(pageSize ? { pageSize: Number(pageSize) } : {}));
        process.stderr.write('mcpkit demo: serving MCP over stdio (both eras)\n');
        return undefined;
      }
      process.stderr.write(`mcpkit demo: unsupported option ${rest.join(' ')}\n${USAGE}`);
      return 2;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`mcpkit: unknown command ${command}\n${USAGE}`);
      return 2;
  }
}
