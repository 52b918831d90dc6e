// mcpkit scaled out: the benchmark's echo tool with every per-client state on Redis (sessions,
// events, bus), as one node of several behind a balancer. `--port N` (0: any), `--prefix K`.
// Prints `listening <port>` when ready.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createStreamableHttpHandler } from '../../dist/http/index.mjs';
import { toNodeListener } from '../../dist/node/index.mjs';
import { RedisBus, RedisEventStore, RedisSessionStore } from '../../dist/redis/index.mjs';
import { McpServer } from '../../dist/server/index.mjs';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, prefix: { type: 'string', default: 'mcpkit-bench:' } },
});
const prefix = values.prefix;
const redis = new Redis({ host: '127.0.0.1', port: 6379 });
const subscriber = redis.duplicate();
await new Promise((resolve) => subscriber.once('ready', resolve));
const bus = new RedisBus(redis, subscriber, { prefix: `${prefix}bus:` });
const server = new McpServer({ name: 'bench-mcpkit-redis', version: '1' }, { bus });
const object = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
server.tool('echo', { input: object }, (args) => ({ content: [{ type: 'text', text: args.text }] }));
const handler = createStreamableHttpHandler(server, {
  sessionStore: new RedisSessionStore(redis, { prefix: `${prefix}session:` }),
  eventStore: new RedisEventStore(redis, { prefix: `${prefix}ev:` }),
  bus,
  maxSessionsPerClient: 100_000,
  clientKey: (request, info) => request.headers.get('x-forwarded-for') ?? info?.remoteAddress ?? '',
});
const http = createServer(toNodeListener(handler));
http.listen(Number(values.port), '127.0.0.1', () =>
  process.stdout.write(`listening ${http.address().port}\n`),
);
