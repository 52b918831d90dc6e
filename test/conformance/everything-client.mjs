// The conformance suite's "everything client", built on mcpkit (from dist/). The runner sets
// MCP_CONFORMANCE_SCENARIO and passes the test server's URL as the first argument.
import { Client } from '../../dist/client/index.mjs';
import { StreamableHttpClientTransport } from '../../dist/transports/index.mjs';

const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
const url = process.argv[2];
const era = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION === '2026-07-28' ? 'modern' : 'auto';

async function connect(options = {}) {
  const client = new Client({ name: 'mcpkit-conformance-client', version: '1.0.0' }, { era, ...options });
  await client.connect(new StreamableHttpClientTransport(url));
  return client;
}

/** Lists the tools and calls the first, as the basic scenarios expect. */
async function basic() {
  const client = await connect();
  const tools = await client.allTools();
  if (tools[0]) await client.callTool(tools[0].name, { a: 2, b: 3 });
  await client.close();
}

const scenarios = {
  initialize: basic,
  tools_call: basic,
  'tools-call': basic,
  'sse-retry': basic,
  'json-schema-ref-no-deref': async () => {
    const client = await connect();
    await client.allTools();
    await client.close();
  },
  // SEP-1034: accept with nothing filled in; the client fills the schema defaults.
  'elicitation-sep1034-client-defaults': async () => {
    const client = await connect({ elicit: async () => ({ action: 'accept', content: {} }) });
    await client.allTools();
    await client.callTool('test_client_elicitation_defaults', {});
    await client.close();
  },
};
scenarios['elicitation-defaults'] = scenarios['elicitation-sep1034-client-defaults'];

const run = scenarios[scenario];
if (!run || !url) {
  process.stderr.write(
    `usage: MCP_CONFORMANCE_SCENARIO=<${Object.keys(scenarios).join('|')}> everything-client.mjs <url>\n`,
  );
  process.exit(1);
}
run().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
