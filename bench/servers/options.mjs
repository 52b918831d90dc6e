// Command-line options shared by the benchmark servers: --transport stdio|http --port N --tools N [--otel metrics|full]
import { parseArgs } from 'node:util';

export const { values: options } = parseArgs({
  options: {
    transport: { type: 'string', default: 'stdio' },
    port: { type: 'string', default: '0' },
    tools: { type: 'string', default: '0' },
    /** mcpkit only: `metrics` (Prometheus, no SDK) or `full` (SDK traces and metrics), the http-otel scenario. */
    otel: { type: 'string', default: 'off' },
  },
  strict: true,
});

/** The 1 MiB text the `big` tool returns. */
export const BIG_TEXT = 'x'.repeat(1024 * 1024);
/** Extra tools for the tools/list scenario, beyond echo, big, hold, release and mem. */
export const EXTRA_TOOLS = Number(options.tools);

/** `hold` calls wait here until `release`, to measure memory per request in flight. */
export const held = [];
export function release() {
  const n = held.length;
  for (const resolve of held.splice(0)) resolve();
  return n;
}

export function memory() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external };
}

/** Prints the port an HTTP server listens on, for the runner to read. */
export function announce(server) {
  server.listen(Number(options.port), '127.0.0.1', () =>
    process.stdout.write(`listening ${server.address().port}\n`),
  );
}
