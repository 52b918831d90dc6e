// The soak scenario's server: mcpkit over stdio or Streamable HTTP (both eras), with tools that
// stream progress (so legacy POSTs upgrade to SSE and fill the event store) and a way to read its
// own memory after a forced GC. Run with --expose-gc.
import { createServer } from 'node:http';
import { toNodeListener } from '../../dist/adapters/index.mjs';
import { McpServer } from '../../dist/server/index.mjs';
import { createStreamableHttpHandler, InMemoryEventStore, serveStdio } from '../../dist/transports/index.mjs';
import { announce, memory, options } from './options.mjs';

const server = new McpServer({ name: 'soak', version: '1' });
const text = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
server.tool('echo', { input: text }, (args) => args.text);
server.tool(
  'steps',
  { input: { type: 'object', properties: { n: { type: 'number' } } } },
  async (args, ctx) => {
    for (let i = 1; i <= (args.n ?? 3); i++) await ctx.progress(i, args.n ?? 3, `step ${i}`);
    return `did ${args.n ?? 3} steps`;
  },
);
for (let i = 0; i < 20; i++) server.tool(`tool_${i}`, { description: `Tool ${i}` }, () => 'ok');

const events = new InMemoryEventStore();
let handler;
server.tool('soak_stats', {}, () =>
  JSON.stringify({ ...memory(), events: events.stats(), sessions: handler?.sessionCount ?? 0 }),
);

if (options.transport === 'stdio') {
  await serveStdio(server);
} else {
  // One load generator is one client: lift the per-client caps the soak would otherwise hit.
  handler = createStreamableHttpHandler(server, {
    eventStore: events,
    maxSessionsPerClient: 100_000,
    maxConcurrentRequestsPerClient: 100_000,
  });
  const listener = toNodeListener(handler);
  announce(createServer(listener));
}
