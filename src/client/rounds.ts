import type { Peer, RequestOptions } from '../engine/peer.js';
import { suggestedDelay } from '../engine/suggested-delay.js';
import { McpError } from '../protocol/errors.js';
import { ClientError } from './errors.js';
import { answerInput, type InputHandlers } from './input-handlers.js';

export interface RoundOptions {
  handlers: InputHandlers;
  /** Most MRTR rounds for one call. */
  maxRounds: number;
  /** The modern `_meta` envelope for the task requests this loop sends itself. */
  envelope: () => Record<string, unknown>;
}

type InputRequests = Record<string, { method: string; params?: Record<string, unknown> }>;

/**
 * MRTR (2026-07-28): answers a round's input requests with the client's callbacks and retries
 * with the answers and the exact state, on a fresh id, for at most `maxRounds` rounds; a result
 * that is a task is followed to its end.
 */
export async function withInputs(
  peer: Peer,
  method: string,
  params: Record<string, unknown>,
  options: RequestOptions,
  rounds: RoundOptions,
): Promise<Record<string, unknown>> {
  let body = params;
  for (let round = 0; ; round++) {
    const result = await peer.request(method, body, options);
    if (result.resultType === 'task') return followTask(peer, result, options, rounds);
    if (result.resultType !== 'input_required') return result;
    if (round >= rounds.maxRounds) {
      throw new ClientError(
        'too-many-rounds',
        `${method} still needed input after ${rounds.maxRounds} rounds (maxInputRounds)`,
      );
    }
    const inputResponses: Record<string, unknown> = {};
    const signal = options.signal ?? new AbortController().signal;
    for (const [key, request] of Object.entries((result.inputRequests ?? {}) as InputRequests)) {
      inputResponses[key] = await answerInput(rounds.handlers, request.method, request.params ?? {}, signal);
    }
    // The retry carries exactly the state the server sent, or none when it sent none.
    body = {
      ...params,
      inputResponses,
      ...(typeof result.requestState === 'string' ? { requestState: result.requestState } : {}),
    };
  }
}

/**
 * The tasks extension: polls `tasks/get` at the server's interval, answers the task's input
 * requests once each through `tasks/update`, and sends `tasks/cancel` when the caller aborts.
 */
async function followTask(
  peer: Peer,
  created: Record<string, unknown>,
  options: RequestOptions,
  rounds: RoundOptions,
): Promise<Record<string, unknown>> {
  const taskId = String(created.taskId);
  const meta = { _meta: rounds.envelope() };
  const answered = new Set<string>();
  let inputRounds = 0;
  const cancelTask = () =>
    peer.request('tasks/cancel', { taskId, ...meta }, { timeoutMs: 5000 }).catch(() => {});
  const signal = options.signal;
  const timeoutMs = options.timeoutMs ?? 60_000;
  let task = created;
  for (;;) {
    if (task.status === 'completed')
      return { resultType: 'complete', ...(task.result as Record<string, unknown>) };
    if (task.status === 'failed') throw McpError.fromObject(task.error as { code: number; message: string });
    if (task.status === 'cancelled') throw new ClientError('task-cancelled', `Task ${taskId} was cancelled`);
    const asked = (task.status === 'input_required' ? task.inputRequests : undefined) as
      | InputRequests
      | undefined;
    const inputResponses: Record<string, unknown> = {};
    for (const [key, request] of Object.entries(asked ?? {})) {
      if (answered.has(key)) continue;
      answered.add(key);
      inputResponses[key] = await answerInput(
        rounds.handlers,
        request.method,
        request.params ?? {},
        signal ?? new AbortController().signal,
      );
    }
    if (Object.keys(inputResponses).length > 0) {
      // A server that asks for new input on every poll is bounded like MRTR rounds.
      if (++inputRounds > rounds.maxRounds) {
        await cancelTask();
        throw new ClientError(
          'too-many-rounds',
          `Task ${taskId} still needed input after ${rounds.maxRounds} rounds (maxInputRounds)`,
        );
      }
      await peer.request('tasks/update', { taskId, inputResponses, ...meta }, { timeoutMs });
    } else {
      await pause(pollDelay(task.pollIntervalMs), signal).catch(async (reason) => {
        await cancelTask();
        throw reason;
      });
    }
    task = await peer.request('tasks/get', { taskId, ...meta }, { timeoutMs });
  }
}

/** The wait before the next `tasks/get`: the server's `pollIntervalMs`, bounded; 1 s without one. */
function pollDelay(suggested: unknown): number {
  return typeof suggested === 'number' && Number.isFinite(suggested) ? suggestedDelay(suggested) : 1000;
}

/** Waits `ms`, or rejects when `signal` aborts; the listener goes when the wait ends (no pile-up per poll). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
