// The conformance suite's "everything client", built on mcpkit (from dist/). The runner sets
// MCP_CONFORMANCE_SCENARIO and passes the test server's URL as the first argument.
import { ClientCredentials, EnterpriseAuthorization, OAuthClient } from '../../dist/auth/index.mjs';
import { Client } from '../../dist/client/index.mjs';
import { StreamableHttpClientTransport } from '../../dist/transports/index.mjs';

const scenario = process.env.MCP_CONFORMANCE_SCENARIO;
const url = process.argv[2];
const era = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION === '2026-07-28' ? 'modern' : 'auto';

/** Callbacks that say yes, so that the client declares roots, sampling and elicitation. */
const AGREEABLE = {
  elicit: async () => ({ action: 'accept', content: { confirmed: true } }),
  sample: async () => ({
    role: 'assistant',
    model: 'conformance-model',
    content: { type: 'text', text: 'ok' },
  }),
  roots: [{ uri: 'file:///conformance', name: 'conformance' }],
};
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}');
/** Awaits a call the scenario may refuse: logs the refusal and resolves with undefined. */
const quietly = (promise) =>
  promise.catch((error) => {
    process.stderr.write(`(continuing) ${error.message}\n`);
    return undefined;
  });

/**
 * OAuth as a headless client does it: the test authorization server redirects at once, so the
 * authorization URL is fetched and the code read from its Location. Pre-registered credentials
 * come from the scenario's context; the CIMD URL is the one the suite expects.
 */
function oauth() {
  // Machine-to-machine: no user, the client's own secret or signed assertion.
  if (scenario === 'auth/wif-jwt-bearer')
    return new ClientCredentials({ clientId: context.client_id, workloadToken: context.valid_jwt });
  // The user's enterprise sign-in, exchanged at the identity provider for an ID-JAG.
  if (scenario === 'auth/enterprise-managed-authorization')
    return new EnterpriseAuthorization({
      clientId: context.client_id,
      clientSecret: context.client_secret,
      idpTokenEndpoint: context.idp_token_endpoint,
      idpClientId: context.idp_client_id,
      idToken: context.idp_id_token,
    });
  if (scenario.startsWith('auth/client-credentials')) {
    return new ClientCredentials({
      clientId: context.client_id,
      ...(context.client_secret ? { clientSecret: context.client_secret } : {}),
      ...(context.private_key_pem
        ? { privateKey: { pem: context.private_key_pem, alg: context.signing_algorithm ?? 'ES256' } }
        : {}),
    });
  }
  return new OAuthClient({
    redirectUri: 'http://localhost:3000/callback',
    clientMetadataUrl: 'https://conformance-test.local/client-metadata.json',
    ...(context.client_id ? { clientId: context.client_id } : {}),
    ...(context.client_secret ? { clientSecret: context.client_secret } : {}),
    redirect: async (authorizationUrl) => {
      const response = await fetch(authorizationUrl, { redirect: 'manual' });
      const location = response.headers.get('location');
      if (!location)
        throw new Error(`the authorization endpoint answered ${response.status} without a redirect`);
      return location;
    },
  });
}

async function connect(options = {}) {
  const client = new Client({ name: 'mcpkit-conformance-client', version: '1.0.0' }, { era, ...options });
  const authorization = scenario?.startsWith('auth/') ? oauth() : undefined;
  await client.connect(new StreamableHttpClientTransport(url, authorization ? { authorization } : {}));
  return client;
}

/** Lists the tools and calls the first, as the basic scenarios expect. */
async function basic() {
  const client = await connect();
  const tools = await client.allTools();
  if (tools[0]) await client.callTool(tools[0].name, { a: 2, b: 3 });
  await client.close();
}

/** Lists and uses everything the server offers (or the calls the scenario's context names). */
async function exercise() {
  const client = await connect(AGREEABLE);
  const tools = await client.allTools();
  const calls = context.toolCalls ?? tools.map((t) => ({ name: t.name, arguments: {} }));
  for (const call of calls) await quietly(client.callTool(call.name, call.arguments ?? {}));
  for (const resource of (await quietly(client.allResources())) ?? [])
    await quietly(client.readResource(resource.uri));
  for (const prompt of (await quietly(client.allPrompts())) ?? [])
    await quietly(client.getPrompt(prompt.name, {}));
  await client.close();
}

const scenarios = {
  'request-metadata': exercise,
  'http-standard-headers': exercise,
  'http-custom-headers': exercise,
  'http-invalid-tool-headers': exercise,
  // MRTR from the client side: the state is echoed, parallel calls stay apart, no state means none sent.
  'sep-2322-client-request-state': async () => {
    const client = await connect(AGREEABLE);
    await Promise.all([
      client.callTool('test_mrtr_echo_state', {}),
      quietly(client.callTool('test_mrtr_unrelated', {})),
    ]);
    await quietly(client.callTool('test_mrtr_no_state', {}));
    await quietly(client.callTool('test_mrtr_no_result_type', {}));
    await client.close();
  },
  // SEP-1613: the client keeps the schema as listed; echo it back through the server's echo tool.
  'json-schema-2020-12-preservation': async () => {
    const client = await connect();
    const focal = (await client.allTools()).find((t) => t.name === 'json_schema_2020_12_tool');
    if (!focal) throw new Error('json_schema_2020_12_tool is not listed');
    await client.callTool('json_schema_echo', { schema: focal.inputSchema });
    await client.close();
  },
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

// Authorization scenarios: connect through OAuth, then list and call as the basic ones do.
const run = scenarios[scenario] ?? (scenario?.startsWith('auth/') ? basic : undefined);
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
