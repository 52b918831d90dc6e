import fc from 'fast-check';

/**
 * Inputs an attacker or a broken peer could send: near-valid JSON-RPC with hostile fields, known
 * methods with random params, batches, and plain garbage.
 */

/** The fuzz budget: `FUZZ_RUNS` (npm run fuzz) or a CI-sized default; `FUZZ_SEED` replays a run. */
const runs = Number(process.env.FUZZ_RUNS ?? 1000);
export const FUZZ = {
  runs,
  seed: Number(process.env.FUZZ_SEED ?? 20261129),
  /** A test's time: generous per case, so that long runs end by their budget, not a timeout. */
  timeoutMs: 30_000 + runs * 30,
};

const METHODS = [
  'initialize',
  'ping',
  'server/discover',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'subscriptions/listen',
  'tasks/get',
  'tasks/update',
  'tasks/cancel',
  'notifications/initialized',
  'notifications/cancelled',
  'notifications/progress',
  'notifications/roots/list_changed',
];
const TOOLS = ['echo', 'add', 'count', 'ask', 'sample', 'roots', 'no-such-tool'];
const URIS = [
  'demo://counter',
  'demo://greeting/{name}',
  'demo://greeting/..%2F..%2Fetc',
  'file:///etc/passwd',
  '',
];
const VERSIONS = [
  '2024-11-05',
  '2025-03-26',
  '2025-06-18',
  '2025-11-25',
  '2026-07-28',
  '2099-01-01',
  '',
  'x',
];

const hostileString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('__proto__', 'constructor', '\u0000', '\uFFFF', '../..', '%2F%2e%2e', '{', '"', '\\'),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

export const requestId = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(null, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 64, '', true),
  fc.object({ maxDepth: 1, maxKeys: 2 }),
);

const meta = fc.record(
  {
    'io.modelcontextprotocol/protocolVersion': fc.constantFrom(...VERSIONS),
    'io.modelcontextprotocol/clientCapabilities': fc.oneof(
      fc.constant({}),
      fc.constant({ elicitation: {}, sampling: {}, roots: {} }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    'io.modelcontextprotocol/clientInfo': fc.oneof(
      fc.constant({ name: 'fuzz', version: '1' }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    progressToken: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
  },
  { requiredKeys: [] },
);

const params = fc.oneof(
  fc.record(
    {
      name: fc.oneof(fc.constantFrom(...TOOLS), hostileString),
      arguments: fc.oneof(
        fc.constant({ text: 'hi' }),
        fc.constant({ a: 1, b: 2 }),
        fc.constant({ to: 2, delayMs: 1 }),
        fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
      ),
      uri: fc.oneof(fc.constantFrom(...URIS), hostileString),
      cursor: hostileString,
      protocolVersion: fc.constantFrom(...VERSIONS),
      capabilities: fc.jsonValue({ maxDepth: 2 }),
      clientInfo: fc.constant({ name: 'fuzz', version: '1' }),
      level: fc.constantFrom('debug', 'info', 'emergency', 'nope'),
      requestId: requestId,
      notifications: fc.jsonValue({ maxDepth: 2 }),
      taskId: hostileString,
      // Sometimes not an object at all: telemetry once read it before any schema did.
      _meta: fc.oneof({ weight: 4, arbitrary: meta }, fc.constantFrom(null, 'x', 0, [], true)),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

/** One JSON-RPC-shaped value: often almost valid, sometimes not at all. */
export const message = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        jsonrpc: fc.oneof({ weight: 8, arbitrary: fc.constant('2.0') }, fc.constantFrom('1.0', 2, null)),
        id: requestId,
        method: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...METHODS) }, hostileString),
        params,
        result: fc.jsonValue({ maxDepth: 2 }),
        error: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

/** A frame's text: one message, a batch, deep nesting, or garbage. */
export const frame = fc.oneof(
  { weight: 8, arbitrary: message.map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: fc.array(message, { maxLength: 6 }).map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      '{',
      '[]',
      'null',
      '{"jsonrpc":"2.0","method":"ping","id":1',
      '{"__proto__":{"x":1}}',
    ),
  },
);

/** Mostly the well-formed value (so that cases reach the body), sometimes a wrong one or none. */
function mostly(valid: string, wrong: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(valid) },
    { weight: 2, arbitrary: wrong },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** Headers an HTTP client could send, each possibly absent or wrong. */
export const headers = fc
  .record({
    'content-type': mostly(
      'application/json',
      fc.constantFrom('application/json; charset=utf-8', 'text/plain', '', 'application/jsonx'),
    ),
    accept: mostly(
      'application/json, text/event-stream',
      fc.constantFrom('application/json', 'text/event-stream', '*/*', 'image/png', ''),
    ),
    'mcp-protocol-version': fc.option(fc.constantFrom(...VERSIONS), { nil: undefined }),
    'mcp-method': fc.option(fc.oneof(fc.constantFrom(...METHODS), fc.string({ maxLength: 10 })), {
      nil: undefined,
    }),
    'mcp-name': fc.option(
      fc.oneof(fc.constantFrom(...TOOLS), fc.string({ maxLength: 10 }), fc.constant('=?base64?AAAA?=')),
      {
        nil: undefined,
      },
    ),
    'mcp-param-region': fc.option(fc.string({ maxLength: 10 }), { nil: undefined, freq: 4 }),
    'last-event-id': fc.option(
      fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('g_1', 'p1_1', 'p1_999999999999999999', '_')),
      { nil: undefined, freq: 3 },
    ),
    origin: fc.option(fc.constantFrom('http://localhost:3000', 'http://evil.example', 'null'), {
      nil: undefined,
      freq: 6,
    }),
  })
  .map((h) =>
    Object.fromEntries(
      Object.entries(h).filter(
        (entry): entry is [string, string] => entry[1] !== undefined && /^[\t\x20-\x7e]*$/.test(entry[1]),
      ),
    ),
  );
