import type { IncomingRequest } from '../engine/peer.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import type { ClientCapabilities, InputRequest } from '../protocol/schemas/index.js';
import { checkAnswer, type InputAsker, type InputMethod, missingCapability } from './input.js';

export { TASKS_EXTENSION } from '../protocol/meta.js';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** A task as `tasks/get` shows it (a DetailedTask). */
export interface TaskRecord {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number | null;
  pollIntervalMs?: number;
  inputRequests?: Record<string, InputRequest>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
  /** The authenticated caller that created the task; only it may see or change the task. Never sent. */
  owner?: string;
  /**
   * Until when (epoch ms) the server running the task vouches for it; it renews this while the task
   * runs. A task not finished past it has lost its server (a shared store outlives nodes). Never sent.
   */
  leaseUntil?: number;
}

/** A task as the client sees it: everything but its owner and lease. */
export function visibleTask(record: TaskRecord): Omit<TaskRecord, 'owner' | 'leaseUntil'> {
  const { owner: _owner, leaseUntil: _lease, ...visible } = record;
  return visible;
}

/**
 * Where tasks live. The in-memory default serves one process; a shared store (Redis...) lets any
 * node answer `tasks/get` for a task another node runs.
 */
export interface TaskStore {
  put(task: TaskRecord): Promise<void>;
  get(taskId: string): Promise<TaskRecord | undefined>;
}

export interface InMemoryTaskStoreOptions {
  /** Bytes of task records (results included) kept in all. Default 64 MiB. */
  maxBytes?: number;
}

/**
 * In-process default, bounded in bytes: a new task that does not fit is refused; an update that
 * does not fit (a huge result) fails the task with an error that says so instead.
 */
export class InMemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, { task: TaskRecord; expires: number; bytes: number }>();
  private bytes = 0;
  private readonly maxBytes: number;

  constructor(options: InMemoryTaskStoreOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /** What the store holds now. */
  stats(): { tasks: number; bytes: number } {
    return { tasks: this.tasks.size, bytes: this.bytes };
  }

  async put(task: TaskRecord): Promise<void> {
    const previous = this.tasks.get(task.taskId);
    let record = task;
    let bytes = JSON.stringify(record).length;
    if (this.bytes - (previous?.bytes ?? 0) + bytes > this.maxBytes) this.sweep();
    if (this.bytes - (previous?.bytes ?? 0) + bytes > this.maxBytes) {
      const message = `The task store is full (maxBytes: ${this.maxBytes}); raise InMemoryTaskStore maxBytes`;
      if (!previous) throw new McpError(ErrorCode.Overloaded, message, { limit: 'maxBytes' });
      const { result: _dropped, ...rest } = task;
      record = { ...rest, status: 'failed', error: { code: ErrorCode.InternalError, message } };
      bytes = JSON.stringify(record).length;
    }
    const created = Date.parse(record.createdAt);
    this.bytes += bytes - (previous?.bytes ?? 0);
    this.tasks.set(record.taskId, {
      task: structuredClone(record),
      expires: record.ttlMs === null ? Number.POSITIVE_INFINITY : created + record.ttlMs,
      bytes,
    });
    if (this.tasks.size % 256 === 0) this.sweep();
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    const entry = this.tasks.get(taskId);
    if (!entry) return undefined;
    if (entry.expires < Date.now()) {
      this.remove(taskId);
      return undefined;
    }
    return structuredClone(entry.task);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.tasks) if (entry.expires < now) this.remove(id);
  }

  private remove(taskId: string): void {
    const entry = this.tasks.get(taskId);
    if (!entry) return;
    this.bytes -= entry.bytes;
    this.tasks.delete(taskId);
  }
}

const TERMINAL = new Set<TaskStatus>(['completed', 'failed', 'cancelled']);
export const isTerminal = (status: TaskStatus) => TERMINAL.has(status);

/**
 * One running task: its handler runs detached from the request that created it. Input requests
 * park the handler, show as `input_required` on `tasks/get`, and resume when `tasks/update`
 * brings the answers.
 */
export class RunningTask implements InputAsker {
  readonly controller = new AbortController();
  private readonly waiting = new Map<
    string,
    { method: InputMethod; resolve(answer: Record<string, unknown>): void; reject(e: Error): void }
  >();
  private next = 0;

  constructor(
    public record: TaskRecord,
    private readonly caps: ClientCapabilities,
    private readonly save: (record: TaskRecord) => Promise<void>,
  ) {}

  async transition(patch: Partial<TaskRecord>): Promise<void> {
    if (isTerminal(this.record.status)) return;
    const next: TaskRecord = { ...this.record, ...patch, lastUpdatedAt: new Date().toISOString() };
    if (next.status !== 'input_required') delete next.inputRequests;
    this.record = next;
    await this.save(next);
  }

  ask(method: InputMethod, params: Record<string, unknown>, name?: string): Promise<Record<string, unknown>> {
    const missing = missingCapability(method, params, this.caps);
    if (missing) {
      return Promise.reject(
        new McpError(
          ErrorCode.MissingRequiredClientCapability,
          'The client did not declare a capability this task needs',
          { requiredCapabilities: missing },
        ),
      );
    }
    // Keys are unique over the task's lifetime (SEP-2663 "Task Update Requests").
    const key = name && !this.record.inputRequests?.[name] ? `${name}` : `input-${this.next++}`;
    const { elicitationId: _legacyOnly, ...modern } = params;
    const request = { method, params: method === 'elicitation/create' ? modern : params } as InputRequest;
    return new Promise((resolve, reject) => {
      this.waiting.set(key, { method, resolve, reject });
      void this.transition({
        status: 'input_required',
        inputRequests: { ...this.record.inputRequests, [key]: request },
      });
    });
  }

  /** `tasks/update`: answers for outstanding keys resume the handler; other keys are ignored. */
  async answer(responses: Record<string, unknown>): Promise<void> {
    const outstanding = { ...this.record.inputRequests };
    for (const [key, response] of Object.entries(responses)) {
      const waiter = this.waiting.get(key);
      if (!waiter) continue;
      this.waiting.delete(key);
      delete outstanding[key];
      try {
        waiter.resolve(checkAnswer(waiter.method, response));
      } catch (error) {
        waiter.reject(error as Error);
      }
    }
    const remaining = Object.keys(outstanding).length;
    await this.transition(
      remaining > 0 ? { status: 'input_required', inputRequests: outstanding } : { status: 'working' },
    );
  }

  cancel(): void {
    this.controller.abort(new McpError(ErrorCode.InvalidRequest, 'Task cancelled'));
    for (const waiter of this.waiting.values())
      waiter.reject(new McpError(ErrorCode.InvalidRequest, 'Task cancelled'));
    this.waiting.clear();
  }
}

/** A detached request for a task's handler: no notifications (not supported on tasks), no requests. */
export function detachedIncoming(message: IncomingRequest['message'], task: RunningTask): IncomingRequest {
  return {
    message,
    get signal() {
      return task.controller.signal;
    },
    get cancelled() {
      return task.controller.signal.aborted;
    },
    notify: async () => {},
    request: () => Promise.reject(new McpError(ErrorCode.InternalError, 'A task cannot send requests')),
  };
}
