// mcpkit's benchmark server (stdio; Streamable HTTP arrives with its own issue).
import { McpServer } from '../../dist/server/index.mjs';
import { serveStdio } from '../../dist/transports/index.mjs';
import { BIG_TEXT, EXTRA_TOOLS, held, memory, options, release } from './options.mjs';

const server = new McpServer({ name: 'bench-mcpkit', version: '1' });
const object = { type: 'object', properties: { text: { type: 'string' } } };
server.tool('echo', { input: { ...object, required: ['text'] } }, (args) => ({
  content: [{ type: 'text', text: args.text }],
}));
server.tool('big', {}, () => ({ content: [{ type: 'text', text: BIG_TEXT }] }));
server.tool('hold', {}, () => new Promise((resolve) => held.push(() => resolve('released'))));
server.tool('release', {}, () => String(release()));
server.tool('mem', {}, () => JSON.stringify(memory()));
for (let i = 0; i < EXTRA_TOOLS; i++)
  server.tool(`tool_${i}`, { description: `Tool number ${i}`, input: object }, () => 'ok');

if (options.transport !== 'stdio') {
  process.stderr.write('mcpkit: Streamable HTTP is not built yet\n');
  process.exit(2);
}
await serveStdio(server);
