import { z } from 'zod';
import { McpServer, type McpServerOptions } from '../server/index.js';

const USERS = ['ada', 'alan', 'barbara', 'edsger', 'grace', 'ken', 'linus', 'margaret'];
/** A 1x1 transparent PNG. */
const PIXEL = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** The demo server: one of everything mcpkit serves, in both eras. */
export function createDemoServer(options: McpServerOptions = {}): McpServer {
  const server = new McpServer(
    {
      name: 'mcpkit-demo',
      title: 'mcpkit demo',
      version: '0.1.0',
      description: 'Shows every MCP server feature',
    },
    {
      instructions:
        'A demo server: echo text, add numbers, count with progress, ask the user, read demo resources.',
      ...options,
    },
  );
  let counter = 0;

  server.tool(
    'echo',
    {
      title: 'Echo',
      description: 'Returns the text it is given',
      input: z.object({ text: z.string() }),
      annotations: { readOnlyHint: true },
    },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );

  server.tool(
    'add',
    {
      title: 'Add',
      description: 'Adds two numbers, with structured output',
      input: z.object({ a: z.number(), b: z.number() }),
      output: z.object({ sum: z.number() }),
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    ({ a, b }) => ({ structuredContent: { sum: a + b } }),
  );

  server.tool(
    'count',
    {
      title: 'Count slowly',
      description: 'Counts to `to`, reporting progress every `delayMs`; cancellable',
      input: z.object({
        to: z.number().int().min(1).max(1000),
        delayMs: z.number().int().min(0).max(10_000).default(100),
      }),
    },
    async ({ to, delayMs }, ctx) => {
      for (let i = 1; i <= to; i++) {
        await sleep(delayMs, ctx.signal);
        await ctx.progress(i, to, `counted ${i} of ${to}`);
      }
      await ctx.log.info({ counted: to }, 'count');
      return `counted to ${to}`;
    },
  );

  server.tool(
    'slow_job',
    {
      title: 'Slow job',
      description:
        'Works for `ms` milliseconds, as a task when the client supports tasks (poll it with tasks/get); cancellable',
      input: z.object({ ms: z.number().int().min(0).max(600_000).default(3000) }),
      task: 'optional',
    },
    ({ ms }, ctx) =>
      ctx.task(async (task) => {
        await sleep(ms, task.signal);
        return `job done after ${ms} ms`;
      }),
  );

  server.tool(
    'greet_user',
    { title: 'Greet the user', description: 'Asks the user for their name (elicitation), then greets them' },
    async (_args, ctx) => {
      const answer = await ctx.elicit({
        message: 'What is your name?',
        requestedSchema: {
          type: 'object',
          properties: { name: { type: 'string', title: 'Name' } },
          required: ['name'],
        },
      });
      if (answer.action !== 'accept') return `No greeting: the user chose ${answer.action}`;
      return `Hello, ${String(answer.content?.name)}!`;
    },
  );

  server.tool(
    'summarize',
    {
      title: 'Summarize',
      description: "Asks the client's model to summarize a text (sampling)",
      input: z.object({ text: z.string() }),
    },
    async ({ text }, ctx) => {
      const reply = await ctx.sample({
        messages: [
          { role: 'user', content: { type: 'text', text: `Summarize in one sentence:\n\n${text}` } },
        ],
        maxTokens: 200,
      });
      const content = Array.isArray(reply.content) ? reply.content[0] : reply.content;
      return content?.type === 'text' ? content.text : `(the model answered with ${content?.type})`;
    },
  );

  server.tool(
    'list_roots',
    { title: 'List roots', description: "Lists the client's roots" },
    async (_args, ctx) => {
      const roots = await ctx.roots();
      return { content: [{ type: 'text', text: roots.map((r) => r.uri).join('\n') || '(no roots)' }] };
    },
  );

  server.tool(
    'increment',
    {
      title: 'Increment the counter',
      description: 'Adds one to demo://counter and notifies its subscribers',
    },
    async () => {
      counter++;
      await server.notifyResourceUpdated('demo://counter');
      return `counter is ${counter}`;
    },
  );

  const bonus = server.tool(
    'bonus',
    { title: 'Bonus', description: 'Only listed while enabled by toggle_bonus' },
    () => 'bonus!',
  );
  bonus.disable();
  let bonusOn = false;
  server.tool(
    'toggle_bonus',
    {
      title: 'Toggle the bonus tool',
      description: 'Enables or disables the bonus tool (the tool list changes)',
    },
    () => {
      bonusOn = !bonusOn;
      if (bonusOn) bonus.enable();
      else bonus.disable();
      return `bonus is ${bonusOn ? 'on' : 'off'}`;
    },
  );

  server.resource(
    'demo://readme',
    { name: 'readme', title: 'Read me', mimeType: 'text/markdown' },
    () => '# mcpkit demo\n\nThis server shows tools, resources, templates, prompts, completions and more.',
  );
  server.resource('demo://pixel.png', { name: 'pixel', title: 'A pixel', mimeType: 'image/png' }, (uri) => ({
    uri,
    mimeType: 'image/png',
    blob: PIXEL,
  }));
  server.resource('demo://counter', { name: 'counter', title: 'Counter', mimeType: 'application/json' }, () =>
    JSON.stringify({ counter }),
  );
  server.resourceTemplate(
    'demo://users/{id}',
    {
      name: 'user',
      title: 'User profile',
      mimeType: 'application/json',
      complete: { id: (value) => USERS.filter((u) => u.startsWith(value)) },
      list: () =>
        USERS.map((id) => ({ uri: `demo://users/${id}`, name: `user ${id}`, mimeType: 'application/json' })),
    },
    (uri, { id }) => {
      if (!USERS.includes(String(id))) throw new Error(`No such user: ${String(id)}`);
      return { uri, mimeType: 'application/json', text: JSON.stringify({ id, name: String(id) }) };
    },
  );

  server.prompt(
    'greeting',
    {
      title: 'Greeting',
      description: 'A greeting for someone, in a given style',
      arguments: [
        {
          name: 'name',
          description: 'Who to greet',
          required: true,
          complete: (v) => USERS.filter((u) => u.startsWith(v)),
        },
        {
          name: 'style',
          description: 'formal or casual',
          complete: (v) => ['formal', 'casual'].filter((s) => s.startsWith(v)),
        },
      ],
    },
    ({ name, style }) => [
      {
        role: 'user',
        content: {
          type: 'text',
          text: style === 'formal' ? `Please greet ${name} formally.` : `Say hi to ${name}!`,
        },
      },
    ],
  );

  return server;
}
