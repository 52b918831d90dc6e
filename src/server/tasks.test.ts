import { describe, expect, it } from 'vitest';
import { modern, wire } from '../../test/helpers/wire.js';
import { Client } from '../client/index.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import { META, TASKS_EXTENSION } from '../protocol/meta.js';
import { createLinkedPair } from '../transports/memory/linked-pair.js';
import { McpServer } from './mcp-server.js';
import { InMemoryTaskStore, type TaskRecord } from './tasks.js';

const TASKS = { extensions: { [TASKS_EXTENSION]: {} } };

function server() {
  const s = new McpServer({ name: 'tasks', version: '1' }, { taskPollIntervalMs: 5 });
  s.tool('sync', {}, () => 'right away');
  s.tool('job', { task: 'optional' }, (_args, ctx) => ctx.task(async () => 'job done'));
  s.tool('tool_error', { task: 'required' }, (_args, ctx) =>
    ctx.task(async () => ({ content: [{ type: 'text', text: 'bad input' }], isError: true })),
  );
  s.tool('protocol_error', { task: 'optional' }, (_args, ctx) =>
    ctx.task(async () => {
      throw new McpError(ErrorCode.InternalError, 'backend down');
    }),
  );
  s.tool('ask', { task: 'optional' }, (_args, ctx) =>
    ctx.task(async (t) => {
      const r = await t.elicit(
        { message: 'Sure?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } },
        { key: 'sure' },
      );
      return `answer ${String(r.content?.ok)}`;
    }),
  );
  s.tool('forever', { task: 'optional' }, (_args, ctx) =>
    ctx.task(
      (t) =>
        new Promise((_resolve, reject) => t.signal.addEventListener('abort', () => reject(t.signal.reason))),
    ),
  );
  return s;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition never held');
}

describe('tasks extension (io.modelcontextprotocol/tasks), server side', () => {
  it('advertises the extension and answers a task-capable call with a durable CreateTaskResult', async () => {
    const w = await wire(server());
    expect((await w.request('server/discover', modern())).result.capabilities.extensions).toEqual({
      [TASKS_EXTENSION]: {},
    });
    const created = (await w.request('tools/call', modern({ name: 'job' }, TASKS))).result;
    expect(created).toMatchObject({
      resultType: 'task',
      taskId: expect.any(String),
      status: 'working',
      ttlMs: expect.any(Number),
    });
    expect(created).not.toHaveProperty('task');
    const done = await until(
      async () => (await w.request('tasks/get', modern({ taskId: created.taskId }, TASKS))).result,
      (t) => t.status === 'completed',
    );
    expect(done).toMatchObject({
      resultType: 'complete',
      status: 'completed',
      result: { content: [{ type: 'text', text: 'job done' }] },
    });
  });

  it('runs the call inline for a client without the extension, and refuses a task-required tool with -32021', async () => {
    const w = await wire(server());
    expect((await w.request('tools/call', modern({ name: 'job' }))).result).toEqual({
      resultType: 'complete',
      content: [{ type: 'text', text: 'job done' }],
    });
    const r = await w.request('tools/call', modern({ name: 'tool_error' }));
    expect(r.error).toMatchObject({
      code: ErrorCode.MissingRequiredClientCapability,
      data: { requiredCapabilities: TASKS },
    });
    expect((await w.request('tasks/get', modern({ taskId: 'x' }))).error.code).toBe(
      ErrorCode.MissingRequiredClientCapability,
    );
  });

  it('completes on a tool error and fails only on a JSON-RPC error', async () => {
    const w = await wire(server());
    const get = (id: string) => w.request('tasks/get', modern({ taskId: id }, TASKS)).then((r) => r.result);
    const toolError = (await w.request('tools/call', modern({ name: 'tool_error' }, TASKS))).result;
    expect(
      await until(
        () => get(toolError.taskId),
        (t) => t.status !== 'working',
      ),
    ).toMatchObject({ status: 'completed', result: { isError: true } });
    const failing = (await w.request('tools/call', modern({ name: 'protocol_error' }, TASKS))).result;
    const failed = await until(
      () => get(failing.taskId),
      (t) => t.status !== 'working',
    );
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: ErrorCode.InternalError, message: 'backend down' },
    });
    expect(failed).not.toHaveProperty('result');
  });

  it('parks on input, shows it on tasks/get, and resumes on tasks/update (unknown keys ignored)', async () => {
    const w = await wire(server());
    const caps = { ...TASKS, elicitation: {} };
    const { taskId } = (await w.request('tools/call', modern({ name: 'ask' }, caps))).result;
    const parked = await until(
      async () => (await w.request('tasks/get', modern({ taskId }, caps))).result,
      (t) => t.status === 'input_required',
    );
    expect(Object.keys(parked.inputRequests)).toEqual(['sure']);
    const ack = await w.request(
      'tasks/update',
      modern(
        { taskId, inputResponses: { sure: { action: 'accept', content: { ok: true } }, other: {} } },
        caps,
      ),
    );
    expect(ack.result).toEqual({ resultType: 'complete' });
    const done = await until(
      async () => (await w.request('tasks/get', modern({ taskId }, caps))).result,
      (t) => t.status === 'completed',
    );
    expect(done.result.content).toEqual([{ type: 'text', text: 'answer true' }]);
  });

  it('cancels cooperatively and idempotently; an unknown task is -32602', async () => {
    const w = await wire(server());
    const { taskId } = (await w.request('tools/call', modern({ name: 'forever' }, TASKS))).result;
    expect((await w.request('tasks/cancel', modern({ taskId }, TASKS))).result).toEqual({
      resultType: 'complete',
    });
    expect((await w.request('tasks/cancel', modern({ taskId }, TASKS))).result).toEqual({
      resultType: 'complete',
    });
    expect((await w.request('tasks/get', modern({ taskId }, TASKS))).result.status).toBe('cancelled');
    expect((await w.request('tasks/get', modern({ taskId: 'nope' }, TASKS))).error.code).toBe(
      ErrorCode.InvalidParams,
    );
  });

  it('pushes notifications/tasks to listen streams that name the task', async () => {
    const w = await wire(server());
    const caps = { ...TASKS, elicitation: {} };
    const { taskId } = (await w.request('tools/call', modern({ name: 'ask' }, caps))).result;
    void w.request(
      'subscriptions/listen',
      modern({ notifications: { taskIds: [taskId] } }, caps),
      'listen-1',
    );
    const ack = await w.waitFor((m) => m.method === 'notifications/subscriptions/acknowledged');
    expect(ack.params.notifications).toEqual({ taskIds: [taskId] });
    await w.request(
      'tasks/update',
      modern({ taskId, inputResponses: { sure: { action: 'decline' } } }, caps),
    );
    const done = await w.waitFor(
      (m) => m.method === 'notifications/tasks' && m.params.status === 'completed',
    );
    expect(done.params).toMatchObject({
      taskId,
      result: { content: [{ type: 'text', text: 'answer undefined' }] },
      _meta: { [META.subscriptionId]: 'listen-1' },
    });
  });
});

describe('tasks extension, client side', () => {
  async function client(options = {}) {
    const [a, b] = createLinkedPair();
    await server().connect(a);
    const c = new Client(
      { name: 'tc', version: '1' },
      { elicit: async () => ({ action: 'accept', content: { ok: true } }), ...options },
    );
    await c.connect(b);
    return c;
  }

  it('follows a task to its result, answering its input requests', async () => {
    const c = await client();
    expect((await c.callTool('job')).content).toEqual([{ type: 'text', text: 'job done' }]);
    expect((await c.callTool('ask')).content).toEqual([{ type: 'text', text: 'answer true' }]);
  });

  it('surfaces a failed task as the McpError it failed with', async () => {
    const c = await client();
    await expect(c.callTool('protocol_error')).rejects.toMatchObject({
      code: ErrorCode.InternalError,
      message: 'backend down',
    });
  });

  it('cancels the task when the caller aborts', async () => {
    const c = await client();
    const controller = new AbortController();
    const call = c.callTool('forever', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 30);
    await expect(call).rejects.toThrow('stop');
  });

  it('without the extension, gets plain results', async () => {
    const c = await client({ tasks: false });
    expect((await c.callTool('job')).content).toEqual([{ type: 'text', text: 'job done' }]);
    await expect(c.callTool('tool_error')).rejects.toMatchObject({
      code: ErrorCode.MissingRequiredClientCapability,
    });
  });
});

describe('tasks are bounded per client and in total (hardening)', () => {
  const bounded = (options: ConstructorParameters<typeof McpServer>[1]) => {
    const s = new McpServer({ name: 'bounded', version: '1' }, { taskPollIntervalMs: 5, ...options });
    s.tool('job', { task: 'optional' }, (_args, ctx) => ctx.task(async () => 'done'));
    return s;
  };

  it('refuses tasks past maxTasksPerClient with -32005 naming the option; another client still gets one', async () => {
    const s = bounded({ maxTasksPerClient: 3, maxTasks: 5 });
    const [a, b] = [await wire(s), await wire(s)]; // two connections: two clients
    for (let i = 0; i < 3; i++)
      expect((await a.request('tools/call', modern({ name: 'job' }, TASKS))).result.resultType).toBe('task');
    const refused = await a.request('tools/call', modern({ name: 'job' }, TASKS));
    expect(refused.error).toMatchObject({ code: -32005, data: { limit: 'maxTasksPerClient' } });
    expect(refused.error.message).toContain('maxTasksPerClient');
    for (let i = 0; i < 2; i++)
      expect((await b.request('tools/call', modern({ name: 'job' }, TASKS))).result.resultType).toBe('task');
    const full = await b.request('tools/call', modern({ name: 'job' }, TASKS));
    expect(full.error).toMatchObject({ code: -32005, data: { limit: 'maxTasks' } });
  });

  it('gives a place back when its task expires', async () => {
    const s = bounded({ maxTasksPerClient: 1, taskTtlMs: 100 });
    const w = await wire(s);
    expect((await w.request('tools/call', modern({ name: 'job' }, TASKS))).result.resultType).toBe('task');
    expect((await w.request('tools/call', modern({ name: 'job' }, TASKS))).error?.code).toBe(-32005);
    await new Promise((r) => setTimeout(r, 150));
    expect((await w.request('tools/call', modern({ name: 'job' }, TASKS))).result.resultType).toBe('task');
  });

  it('the in-memory store refuses a new task past maxBytes and fails an update that does not fit', async () => {
    const store = new InMemoryTaskStore({ maxBytes: 2000 });
    const record = (taskId: string, extra: Partial<TaskRecord> = {}): TaskRecord => ({
      taskId,
      status: 'working',
      createdAt: new Date().toISOString(),
      lastUpdatedAt: new Date().toISOString(),
      ttlMs: 60_000,
      ...extra,
    });
    for (let i = 0; i < 10; i++) await store.put(record(`t${i}`));
    await expect(store.put(record('big', { statusMessage: 'x'.repeat(1500) }))).rejects.toMatchObject({
      code: -32005,
      message: expect.stringContaining('maxBytes'),
    });
    await store.put(
      record('t0', { status: 'completed', result: { content: [{ type: 'text', text: 'y'.repeat(5000) }] } }),
    );
    expect(await store.get('t0')).toMatchObject({
      status: 'failed',
      error: { message: expect.stringContaining('maxBytes') },
    });
    expect(store.stats().bytes).toBeLessThanOrEqual(2000);
  });
});
