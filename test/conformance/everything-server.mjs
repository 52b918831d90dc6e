// The conformance suite's "everything server", built on mcpkit (from dist/): the tools, resources
// and prompts the scenarios of @modelcontextprotocol/conformance call, on Streamable HTTP.
// `node everything-server.mjs --port N` serves http://127.0.0.1:N/mcp.
import { parseArgs } from 'node:util';
import { serveHttp } from '../../dist/adapters/index.mjs';
import { McpError } from '../../dist/protocol/index.mjs';
import { McpServer } from '../../dist/server/index.mjs';
import { createStreamableHttpHandler } from '../../dist/transports/index.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: '3001' } } });

const IMAGE =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const AUDIO = 'UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=';
const text = (t) => ({ content: [{ type: 'text', text: t }] });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** SEP-1613 / SEP-2106: a raw 2020-12 schema whose keywords must survive tools/list untouched. */
const SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword here, not a thenable.
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
};

const server = new McpServer({ name: 'mcpkit-conformance-server', version: '1.0.0' });

server.tool('test_simple_text', { description: 'Tests simple text content response' }, () =>
  text('This is a simple text response for testing.'),
);
server.tool('test_image_content', { description: 'Tests image content response' }, () => ({
  content: [{ type: 'image', data: IMAGE, mimeType: 'image/png' }],
}));
server.tool('test_audio_content', { description: 'Tests audio content response' }, () => ({
  content: [{ type: 'audio', data: AUDIO, mimeType: 'audio/wav' }],
}));
server.tool('test_embedded_resource', { description: 'Tests embedded resource content response' }, () => ({
  content: [
    {
      type: 'resource',
      resource: {
        uri: 'test://embedded-resource',
        mimeType: 'text/plain',
        text: 'This is an embedded resource content.',
      },
    },
  ],
}));
server.tool(
  'test_multiple_content_types',
  { description: 'Tests response with multiple content types (text, image, resource)' },
  () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: IMAGE, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: {
          uri: 'test://mixed-content-resource',
          mimeType: 'application/json',
          text: JSON.stringify({ test: 'data', value: 123 }),
        },
      },
    ],
  }),
);
server.tool(
  'test_tool_with_logging',
  { description: 'Tests tool that emits log messages during execution' },
  async (_args, ctx) => {
    for (const line of ['Tool execution started', 'Tool processing data', 'Tool execution completed']) {
      await ctx.log.info(line);
      await sleep(50);
    }
    return text('Tool with logging executed successfully');
  },
);
server.tool(
  'test_tool_with_progress',
  { description: 'Tests tool that reports progress notifications' },
  async (_args, ctx) => {
    for (const step of [0, 50, 100]) {
      await ctx.progress(step, 100, `Completed step ${step} of 100`);
      await sleep(50);
    }
    return text(String(ctx.meta.progressToken ?? 0));
  },
);
server.tool('test_error_handling', { description: 'Tests error response handling' }, () => {
  throw new Error('This tool intentionally returns an error for testing');
});
server.tool(
  'test_sampling',
  {
    description: 'Tests server-initiated sampling (LLM completion request)',
    input: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'] },
  },
  async ({ prompt }, ctx) => {
    const reply = await ctx.sample({
      messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
      maxTokens: 100,
    });
    const content = Array.isArray(reply.content) ? reply.content[0] : reply.content;
    return text(`LLM response: ${content?.text ?? 'No response'}`);
  },
);
server.tool(
  'test_elicitation',
  {
    description: 'Tests server-initiated elicitation (user input request)',
    input: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
  },
  async ({ message }, ctx) => {
    const r = await ctx.elicit({
      message,
      requestedSchema: {
        type: 'object',
        properties: { response: { type: 'string', description: "User's response" } },
        required: ['response'],
      },
    });
    return text(`User response: action=${r.action}, content=${JSON.stringify(r.content || {})}`);
  },
);
server.tool(
  'test_elicitation_sep1034_defaults',
  { description: 'Tests elicitation with default values per SEP-1034' },
  async (_args, ctx) => {
    const r = await ctx.elicit({
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: {
            type: 'string',
            description: 'User status',
            enum: ['active', 'inactive', 'pending'],
            default: 'active',
          },
          verified: { type: 'boolean', description: 'Verification status', default: true },
        },
        required: [],
      },
    });
    return text(`Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content || {})}`);
  },
);
server.tool(
  'test_elicitation_sep1330_enums',
  { description: 'Tests elicitation with enum schema improvements per SEP-1330' },
  async (_args, ctx) => {
    const r = await ctx.elicit({
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: {
            type: 'string',
            description: 'Select one option',
            enum: ['option1', 'option2', 'option3'],
          },
          titledSingle: {
            type: 'string',
            description: 'Select one option with titles',
            oneOf: [
              { const: 'value1', title: 'First Option' },
              { const: 'value2', title: 'Second Option' },
              { const: 'value3', title: 'Third Option' },
            ],
          },
          legacyEnum: {
            type: 'string',
            description: 'Select one option (legacy)',
            enum: ['opt1', 'opt2', 'opt3'],
            enumNames: ['Option One', 'Option Two', 'Option Three'],
          },
          untitledMulti: {
            type: 'array',
            description: 'Select multiple options',
            minItems: 1,
            maxItems: 3,
            items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
          },
          titledMulti: {
            type: 'array',
            description: 'Select multiple options with titles',
            minItems: 1,
            maxItems: 3,
            items: {
              anyOf: [
                { const: 'value1', title: 'First Choice' },
                { const: 'value2', title: 'Second Choice' },
                { const: 'value3', title: 'Third Choice' },
              ],
            },
          },
        },
        required: [],
      },
    });
    return text(`Elicitation completed: action=${r.action}, content=${JSON.stringify(r.content || {})}`);
  },
);
server.tool(
  'json_schema_2020_12_tool',
  {
    description: 'Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)',
    input: SCHEMA_2020_12,
  },
  (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
);

server.resource(
  'test://static-text',
  {
    name: 'static-text',
    title: 'Static Text Resource',
    description: 'A static text resource for testing',
    mimeType: 'text/plain',
  },
  () => 'This is the content of the static text resource.',
);
server.resource(
  'test://static-binary',
  {
    name: 'static-binary',
    title: 'Static Binary Resource',
    description: 'A static binary resource (image) for testing',
    mimeType: 'image/png',
  },
  (uri) => ({
    uri,
    mimeType: 'image/png',
    blob: IMAGE,
  }),
);
server.resource(
  'test://watched-resource',
  {
    name: 'watched-resource',
    title: 'Watched Resource',
    description: 'A resource that auto-updates',
    mimeType: 'text/plain',
  },
  () => 'Watched resource content',
);
server.resourceTemplate(
  'test://template/{id}/data',
  {
    name: 'template',
    title: 'Resource Template',
    description: 'A resource template with parameter substitution',
    mimeType: 'application/json',
    complete: { id: () => [] },
  },
  (uri, { id }) => ({
    uri,
    mimeType: 'application/json',
    text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
  }),
);

server.prompt(
  'test_simple_prompt',
  { title: 'Simple Test Prompt', description: 'A simple prompt without arguments' },
  () => [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
);
server.prompt(
  'test_prompt_with_arguments',
  {
    title: 'Prompt With Arguments',
    description: 'A prompt with required arguments',
    arguments: [
      { name: 'arg1', description: 'First test argument', required: true, complete: () => [] },
      { name: 'arg2', description: 'Second test argument', required: true, complete: () => [] },
    ],
  },
  ({ arg1, arg2 }) => [
    {
      role: 'user',
      content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
    },
  ],
);
server.prompt(
  'test_prompt_with_embedded_resource',
  {
    title: 'Prompt With Embedded Resource',
    description: 'A prompt that includes an embedded resource',
    arguments: [{ name: 'resourceUri', description: 'URI of the resource to embed', required: true }],
  },
  ({ resourceUri }) => [
    {
      role: 'user',
      content: {
        type: 'resource',
        resource: {
          uri: resourceUri,
          mimeType: 'text/plain',
          text: 'Embedded resource content for testing.',
        },
      },
    },
    { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
  ],
);
server.prompt(
  'test_prompt_with_image',
  { title: 'Prompt With Image', description: 'A prompt that includes image content' },
  () => [
    { role: 'user', content: { type: 'image', data: IMAGE, mimeType: 'image/png' } },
    { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
  ],
);

// ---- 2026-07-28 scenarios: MRTR tools, written once (legacy sessions get real requests) ----
const ask = (message, properties = { name: { type: 'string' } }) => ({
  message,
  requestedSchema: { type: 'object', properties },
});
const question = (text) => ({
  messages: [{ role: 'user', content: { type: 'text', text } }],
  maxTokens: 100,
});
const replyText = (r) => (Array.isArray(r.content) ? r.content[0]?.text : r.content?.text) ?? '';

server.tool(
  'test_missing_capability',
  { description: 'Test tool requiring sampling' },
  async (_args, ctx) => {
    const r = await ctx.sample(question('This needs sampling'));
    return text(replyText(r));
  },
);
server.tool(
  'test_input_required_result_elicitation',
  { description: 'MRTR: returns InputRequiredResult with elicitation request' },
  async (_args, ctx) => {
    const r = await ctx.elicit(ask('What is your name?'), { key: 'user_name' });
    return text(`Hello, ${r.content?.name ?? 'stranger'}!`);
  },
);
server.tool(
  'test_input_required_result_sampling',
  { description: 'MRTR: returns InputRequiredResult with sampling request' },
  async (_args, ctx) => {
    const r = await ctx.sample(question('What is the capital of France?'), { key: 'capital_question' });
    return text(replyText(r));
  },
);
server.tool(
  'test_input_required_result_list_roots',
  { description: 'MRTR: returns InputRequiredResult with roots/list request' },
  async (_args, ctx) => {
    const roots = await ctx.roots({ key: 'client_roots' });
    return text(`Roots: ${roots.map((r) => r.uri).join(', ')}`);
  },
);
server.tool(
  'test_input_required_result_request_state',
  { description: 'MRTR: returns InputRequiredResult with requestState' },
  async (_args, ctx) => {
    const r = await ctx.elicit(ask('Confirm?', { ok: { type: 'boolean' } }), { key: 'confirmation' });
    return text(`Confirmed: ${JSON.stringify(r.content ?? {})}`);
  },
);
server.tool(
  'test_input_required_result_multiple_inputs',
  { description: 'MRTR: returns InputRequiredResult with multiple input requests' },
  async (_args, ctx) => {
    const [person, reply, roots] = await Promise.all([
      ctx.elicit(ask('What is your name?'), { key: 'user_name' }),
      ctx.sample(question('Say hello'), { key: 'greeting' }),
      ctx.roots({ key: 'client_roots' }),
    ]);
    return text(`${person.content?.name ?? ''}|${replyText(reply)}|${roots.length} roots`);
  },
);
server.tool(
  'test_input_required_result_multi_round',
  { description: 'MRTR: multi-round InputRequiredResult workflow' },
  async (_args, ctx) => {
    const name = await ctx.elicit(ask('What is your name?'), { key: 'user_name' });
    const color = await ctx.elicit(ask('Favourite colour?', { color: { type: 'string' } }), {
      key: 'favorite_color',
    });
    return text(`Multi-round complete for ${name.content?.name} who likes ${color.content?.color}`);
  },
);
server.tool(
  'test_input_required_result_tampered_state',
  { description: 'MRTR: HMAC-signed requestState integrity test' },
  async (_args, ctx) => {
    const r = await ctx.elicit(ask('Anything?', { value: { type: 'string' } }), { key: 'value' });
    return text(`Value: ${JSON.stringify(r.content ?? {})}`);
  },
);
server.tool(
  'test_input_required_result_capabilities',
  { description: 'MRTR: respects client capabilities in inputRequests' },
  async (_args, ctx) => {
    // Asks only for what the client declared.
    const caps = ctx.client.capabilities;
    const asked = [];
    if (caps.elicitation) asked.push(ctx.elicit(ask('Name?'), { key: 'user_name' }));
    if (caps.sampling) asked.push(ctx.sample(question('Hello?'), { key: 'greeting' }));
    await Promise.all(asked);
    return text(`answered ${asked.length}`);
  },
);
server.tool(
  'test_streaming_elicitation',
  { description: 'Diagnostic tool validating response progress streams' },
  async (_args, ctx) => {
    await ctx.progress(1, 2, 'preparing');
    const r = await ctx.elicit(ask('Stream test?'), { key: 'user_name' });
    return text(`streamed ${r.action}`);
  },
);
server.tool('test_logging_tool', { description: 'Diagnostic logging validator tool' }, async (_args, ctx) => {
  await ctx.log.info('Logging evaluated');
  return text('Logging evaluated');
});
server.tool(
  'test_custom_header',
  {
    description: 'A tool whose region parameter is mirrored into Mcp-Param-Region (SEP-2243)',
    input: {
      type: 'object',
      properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, query: { type: 'string' } },
      required: ['region'],
    },
  },
  ({ region }) => text(`region ${region}`),
);
// ---- The tasks extension (io.modelcontextprotocol/tasks) ----
const obj = (properties = {}, required = []) => ({ type: 'object', properties, required });
server.tool('greet', { description: 'Sync only', input: obj({ name: { type: 'string' } }) }, ({ name }) =>
  text(`Hello, ${name ?? 'world'}!`),
);
server.tool(
  'slow_compute',
  {
    description: 'Task-supporting; sleeps `seconds`',
    task: 'optional',
    input: obj({ seconds: { type: 'number' } }),
  },
  ({ seconds }, ctx) =>
    ctx.task(async (t) => {
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, (seconds ?? 0) * 1000);
        const stop = () => {
          clearTimeout(timer);
          reject(t.signal.reason);
        };
        t.signal.addEventListener('abort', stop, { once: true });
      });
      return text(`Computed for ${seconds ?? 0} seconds`);
    }),
);
server.tool(
  'failing_job',
  { description: 'Task-required; reports a tool error', task: 'required' },
  (_args, ctx) =>
    ctx.task(async () => ({ content: [{ type: 'text', text: 'The job failed' }], isError: true })),
);
server.tool(
  'protocol_error_job',
  { description: 'Task-supporting; fails with a JSON-RPC error', task: 'optional' },
  (_args, ctx) =>
    ctx.task(async () => {
      throw new McpError(-32603, 'The job hit an internal error');
    }),
);
server.tool(
  'confirm_delete',
  {
    description: 'Task-supporting; asks for confirmation once',
    task: 'optional',
    input: obj({ filename: { type: 'string' } }),
  },
  ({ filename }, ctx) =>
    ctx.task(async (t) => {
      const r = await t.elicit(ask(`Delete ${filename}?`, { confirm: { type: 'boolean' } }), {
        key: 'confirm',
      });
      return text(r.content?.confirm ? `Deleted ${filename}` : `Kept ${filename}`);
    }),
);
server.tool(
  'multi_input',
  { description: 'Task-supporting; asks two questions at once', task: 'optional' },
  (_args, ctx) =>
    ctx.task(async (t) => {
      const [a, b] = await Promise.all([
        t.elicit(ask('First?', { value: { type: 'string' } }), { key: 'first' }),
        t.elicit(ask('Second?', { value: { type: 'string' } }), { key: 'second' }),
      ]);
      return text(`${a.action}/${b.action}`);
    }),
);
server.tool(
  'test_tool_with_task',
  { description: 'MRTR first, then a task', task: 'required' },
  async (_args, ctx) => {
    const who = await ctx.elicit(ask('What is your name?'), { key: 'user_name' });
    return ctx.task(async () => text(`Task finished for ${who.content?.name}`));
  },
);

// Hooks that change the tool and prompt lists, for the listen-stream scenarios.
let churn = 0;
server.tool('test_trigger_tool_change', { description: 'Adds a tool (tools/list_changed)' }, () => {
  server.tool(`dynamic_tool_${++churn}`, { description: 'Added by test_trigger_tool_change' }, () =>
    text('dynamic'),
  );
  return text('Mutation triggered');
});
server.tool('test_trigger_prompt_change', { description: 'Adds a prompt (prompts/list_changed)' }, () => {
  server.prompt(
    `dynamic_prompt_${++churn}`,
    { description: 'Added by test_trigger_prompt_change' },
    () => [],
  );
  return text('Mutation triggered');
});
server.prompt(
  'test_input_required_result_prompt',
  { description: 'MRTR: prompt that requires elicitation input' },
  async (_args, ctx) => {
    const r = await ctx.elicit(ask('Who is this prompt for?'), { key: 'user_name' });
    return [
      { role: 'user', content: { type: 'text', text: `Write a note for ${r.content?.name ?? 'someone'}.` } },
    ];
  },
);

const handler = createStreamableHttpHandler(server);
const http = await serveHttp(handler, { port: Number(values.port) });
process.stdout.write(`listening ${http.url}\n`);
const stop = async () => {
  await handler.close();
  await http.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
