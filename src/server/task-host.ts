import { principalKey } from '../engine/principal.js';
import { Quota } from '../engine/quota.js';
import type { Telemetry } from '../engine/telemetry.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import { HandlerContext } from './context.js';
import type { RequestContext } from './request-context.js';
import type { ScopedContext } from './scope.js';
import {
  detachedIncoming,
  isTerminal,
  RunningTask,
  type TaskRecord,
  type TaskStore,
  visibleTask,
} from './tasks.js';
import type { RegisteredTool, ToolReturn } from './tools.js';
import { completeToolResult, TaskCreated } from './tools.js';

export interface TaskHostOptions {
  store: TaskStore;
  /** How long a task is kept after creation; null keeps it until the process ends. */
  ttlMs: number | null;
  pollIntervalMs: number;
  /** How long a running task's lease lasts; the running server renews it every third of that. */
  leaseMs: number;
  /** Tasks kept at once (created, not yet expired), all clients together. */
  maxTasks: number;
  /** Tasks one client may have kept at once. */
  maxTasksPerClient: number;
  tool(name: string): RegisteredTool | undefined;
  /** Every saved state, for `notifications/tasks` on listen streams. */
  onChange(task: TaskRecord): void;
  /** A span per task run, from creation to its terminal state. */
  telemetry?: Telemetry | undefined;
}

/**
 * Runs tasks (SEP-2663): a task is created durably before its CreateTaskResult is answered, runs
 * detached from the request, and reports through `tasks/get` and `notifications/tasks`. A tool
 * error completes a task (`result.isError`); only a JSON-RPC error fails it.
 */
export class TaskHost {
  private readonly running = new Map<string, RunningTask>();
  /** Tasks kept per client: a place is given back when the task expires. */
  private readonly kept: Quota;
  /** Renews the leases of the tasks running here, while any does. */
  private renewing?: ReturnType<typeof setInterval>;

  constructor(private readonly options: TaskHostOptions) {
    this.kept = new Quota({
      max: options.maxTasks,
      perClient: options.maxTasksPerClient,
      maxOption: 'maxTasks',
      perClientOption: 'maxTasksPerClient',
    });
  }

  async startTask(ctx: ScopedContext, run: (ctx: RequestContext) => unknown): Promise<TaskCreated> {
    const client = ctx.scope.clientKey;
    const refusal = this.kept.acquire(client);
    if (refusal) {
      throw new McpError(
        ErrorCode.Overloaded,
        `Too many tasks${refusal.scope === 'client' ? ' for this client' : ''} (${refusal.option}: ${refusal.limit}); wait for some to expire or raise ${refusal.option}`,
        { limit: refusal.option, retryAfterMs: this.options.ttlMs ?? undefined },
      );
    }
    const now = new Date().toISOString();
    const record: TaskRecord = {
      taskId: crypto.randomUUID(),
      status: 'working',
      createdAt: now,
      lastUpdatedAt: now,
      ttlMs: this.options.ttlMs,
      pollIntervalMs: this.options.pollIntervalMs,
      leaseUntil: Date.now() + this.options.leaseMs,
      ...(ctx.scope.principal ? { owner: principalKey(ctx.scope.principal) } : {}),
    };
    const task = new RunningTask(record, ctx.client.capabilities, (r) => this.save(r));
    try {
      await this.options.store.put(record);
    } catch (error) {
      this.kept.release(client);
      throw error;
    }
    // A task holds its place for its TTL (while tasks/get can still show it); null: for good.
    if (this.options.ttlMs !== null)
      setTimeout(() => this.kept.release(client), this.options.ttlMs).unref?.();
    this.running.set(record.taskId, task);
    this.renewLeases();
    const scope = { ...ctx.scope, incoming: detachedIncoming(ctx.scope.incoming.message, task), asker: task };
    delete scope.logLevel;
    delete scope.tasks;
    const taskCtx = new HandlerContext(scope, ctx.params);
    const tool = ctx.method === 'tools/call' ? this.options.tool(String(ctx.params.name)) : undefined;
    const telemetry = this.options.telemetry;
    if (telemetry)
      void telemetry.task(record.taskId, tool?.definition.name, () =>
        this.execute(task, taskCtx, run, tool).then(() => task.record.status),
      );
    else void this.execute(task, taskCtx, run, tool);
    return new TaskCreated({ resultType: 'task', ...visibleTask(record) });
  }

  private async execute(
    task: RunningTask,
    ctx: HandlerContext,
    run: (ctx: RequestContext) => unknown,
    tool?: RegisteredTool,
  ) {
    try {
      const returned = await run(ctx);
      const result = tool
        ? await completeToolResult(tool, returned as ToolReturn<unknown>)
        : (returned as Record<string, unknown>);
      await task.transition({ status: 'completed', result: { ...result } });
    } catch (error) {
      if (task.controller.signal.aborted) await task.transition({ status: 'cancelled' });
      else if (error instanceof McpError)
        await task.transition({ status: 'failed', error: error.toJSON(), statusMessage: error.message });
      else {
        const message = error instanceof Error ? error.message : String(error);
        await task.transition({
          status: 'completed',
          result: { content: [{ type: 'text', text: message }], isError: true },
        });
      }
    } finally {
      this.running.delete(task.record.taskId);
    }
  }

  /**
   * While tasks run here, their stored leases are renewed, so that another node reading one can
   * tell a task still running from one whose server died. One timer for all of them.
   */
  private renewLeases(): void {
    if (this.renewing) return;
    const every = Math.max(10, Math.floor(this.options.leaseMs / 3));
    this.renewing = setInterval(() => {
      if (this.running.size === 0) {
        clearInterval(this.renewing);
        this.renewing = undefined;
        return;
      }
      const until = Date.now() + this.options.leaseMs;
      for (const task of this.running.values()) {
        if (isTerminal(task.record.status)) continue;
        // Put in the order issued after any transition: a finished task is never put back.
        task.record = { ...task.record, leaseUntil: until };
        void this.options.store.put(task.record).catch(() => {});
      }
    }, every);
    this.renewing.unref?.();
  }

  private async save(record: TaskRecord): Promise<void> {
    await this.options.store.put(record);
    this.options.onChange(record);
  }

  /** A task, for its owner: another caller is told the task does not exist, as for a wrong id. */
  async get(taskId: string, caller?: string): Promise<TaskRecord> {
    const task = await this.options.store.get(taskId);
    if (!task || (task.owner !== undefined && task.owner !== caller))
      throw new McpError(ErrorCode.InvalidParams, `Unknown task: ${taskId}`);
    const orphaned =
      !isTerminal(task.status) &&
      task.leaseUntil !== undefined &&
      task.leaseUntil < Date.now() &&
      !this.running.has(taskId);
    if (!orphaned) return task;
    // Its server stopped renewing it: it will never finish, and says so.
    const message = 'The server running this task stopped before it finished';
    const failed: TaskRecord = {
      ...task,
      status: 'failed',
      statusMessage: message,
      error: { code: ErrorCode.InternalError, message },
      lastUpdatedAt: new Date().toISOString(),
    };
    delete failed.inputRequests;
    await this.save(failed);
    return failed;
  }

  runningTask(taskId: string): RunningTask | undefined {
    return this.running.get(taskId);
  }

  /** Cancels a task this node runs (asked here, or by another node); false if it runs elsewhere. */
  async stop(taskId: string): Promise<boolean> {
    const task = this.running.get(taskId);
    if (!task) return false;
    await task.transition({ status: 'cancelled' });
    task.cancel();
    return true;
  }

  /** Cooperative and idempotent: a terminal task stays as it is. */
  async cancel(taskId: string, caller?: string): Promise<void> {
    const stored = await this.get(taskId, caller);
    if (await this.stop(taskId)) return;
    if (!isTerminal(stored.status)) {
      await this.save({ ...stored, status: 'cancelled', lastUpdatedAt: new Date().toISOString() });
    }
  }
}
