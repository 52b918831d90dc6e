import { ErrorCode, McpError } from '../protocol/errors.js';
import type { TaskRecord, TaskStore } from '../server/tasks.js';
import type { RedisCommands } from './redis-commands.js';

export interface RedisTaskStoreOptions {
  /** Prefix of every key. Default `mcpkit:task:`. */
  prefix?: string;
  /** Largest task record (its result included), in bytes of JSON. Default 4 MiB. */
  maxRecordBytes?: number;
  /** How long a task with no TTL of its own (`taskTtlMs: null`) is kept. Default 24 hours. */
  defaultTtlMs?: number;
}

/**
 * Tasks on Redis, so that any node polls, updates or cancels a task another node created. Each
 * task is one key that expires with the task's TTL (counted from its creation, as in memory); a
 * record too large is refused when new and fails the task when it is an update.
 */
export class RedisTaskStore implements TaskStore {
  private readonly prefix: string;
  private readonly maxBytes: number;
  private readonly defaultTtlMs: number;

  constructor(
    private readonly redis: RedisCommands,
    options: RedisTaskStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'mcpkit:task:';
    this.maxBytes = options.maxRecordBytes ?? 4 * 1024 * 1024;
    this.defaultTtlMs = options.defaultTtlMs ?? 24 * 60 * 60_000;
  }

  async put(task: TaskRecord): Promise<void> {
    let json = JSON.stringify(task);
    if (json.length > this.maxBytes) {
      const message = `The task record is larger than maxRecordBytes (${this.maxBytes}); raise RedisTaskStore maxRecordBytes`;
      if (task.status === 'working' && task.result === undefined)
        throw new McpError(ErrorCode.Overloaded, message, { limit: 'maxRecordBytes' });
      const { result: _dropped, ...rest } = task;
      json = JSON.stringify({ ...rest, status: 'failed', error: { code: ErrorCode.InternalError, message } });
    }
    const ttl = task.ttlMs === null ? this.defaultTtlMs : task.ttlMs;
    const left = Date.parse(task.createdAt) + ttl - Date.now();
    if (left <= 0) return;
    await this.redis.call('SET', this.prefix + task.taskId, json, 'PX', Math.ceil(left));
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    // Task ids are UUIDs; anything else names no task (and never reaches a key of another kind).
    if (!/^[0-9a-f-]{36}$/.test(taskId)) return undefined;
    const json = await this.redis.call('GET', this.prefix + taskId);
    return typeof json === 'string' ? (JSON.parse(json) as TaskRecord) : undefined;
  }
}
