import { defineConfig } from 'tsdown';

/** A source module of the protocol core, or zod's runtime: what every entry but the CLI starts with. */
function isCore(id: string): boolean {
  if (/\.d\.[mc]?ts$/.test(id)) return false;
  return (
    /[\\/]src[\\/](protocol|engine|server)[\\/][^/\\]+\.ts$/.test(id) ||
    /[\\/]node_modules[\\/]zod[\\/]/.test(id)
  );
}

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'protocol/index': 'src/protocol/index.ts',
    'engine/index': 'src/engine/index.ts',
    'server/index': 'src/server/index.ts',
    'client/index': 'src/client/index.ts',
    'http/index': 'src/http/index.ts',
    'stdio/index': 'src/stdio/index.ts',
    'transports/index': 'src/transports/index.ts',
    'node/index': 'src/node/index.ts',
    'adapters/index': 'src/adapters/index.ts',
    'auth/index': 'src/auth/index.ts',
    'auth/jwt/index': 'src/auth/jwt/index.ts',
    'auth/server/index': 'src/auth/server/index.ts',
    'limits/index': 'src/limits/index.ts',
    'limits/redis/index': 'src/limits/redis/index.ts',
    'otel/index': 'src/otel/index.ts',
    'prometheus/index': 'src/prometheus/index.ts',
    'health/index': 'src/health/index.ts',
    'redis/index': 'src/redis/index.ts',
    'nats/index': 'src/nats/index.ts',
    'cli/index': 'src/cli/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
  target: 'node20',
  clean: true,
  // zod's runtime is bundled in (what the protocol schemas use, tree-shaken): loaded from its ~100
  // ESM files it cost ~60 ms of every cold start here, more than the rest of mcpkit together.
  // Its types still come from the zod dependency.
  deps: { alwaysBundle: [/^zod(\/|$)/] },
  // The protocol, engine and server modules (with the bundled zod) in one chunk: Node 20 loads
  // each ES module file on its own, and a stdio server started from ~20 files (7 now; a few ms of
  // a ~115 ms cold start here). Declarations keep the type bundler's own chunking.
  outputOptions: { codeSplitting: { groups: [{ name: 'core', test: isCore }] } },
  // The type bundler's share of build time is expected; the warning about it is noise at install.
  inputOptions: { checks: { pluginTimings: false } },
});
