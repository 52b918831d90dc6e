import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCommand } from '../helpers/demo.js';
import { FUZZ, frame } from './arbitraries.js';

/** The demo over stdio with a legacy 2025-03-26 session (batches allowed); modern requests ride along. */
let child: ChildProcessWithoutNullStreams;
const waiting = new Map<string, (message: Record<string, unknown>) => void>();
let exitCode: number | null | undefined;

beforeAll(async () => {
  const { command, args } = demoCommand();
  child = spawn(command, args, { stdio: 'pipe' }) as ChildProcessWithoutNullStreams;
  child.once('exit', (code) => (exitCode = code));
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const message = JSON.parse(line) as Record<string, unknown>;
      const settle = typeof message.id === 'string' ? waiting.get(message.id) : undefined;
      if (settle && !('method' in message)) settle(message);
    }
  });
  child.stderr.resume();
  // The demo's start-up shares two cores with the rest of the suite (a package install, HAProxy):
  // its first answer gets the hook's whole time.
  await ask(
    '{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}',
    'init',
    25_000,
  );
  child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
});
afterAll(() => {
  child?.kill('SIGKILL');
});

function ask(line: string, id: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer to ${id} within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    waiting.set(id, (message) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(message);
    });
    child.stdin.write(`${line}\n`);
  });
}

let live = 0;

describe('fuzzing the stdio server (legacy session with batches, modern requests)', () => {
  it(
    'answers a valid request after every case, and never exits',
    async () => {
      await fc.assert(
        fc.asyncProperty(frame, async (text) => {
          child.stdin.write(`${text}\n`);
          const id = `live-${++live}`;
          const answer = await ask(`{"jsonrpc":"2.0","id":"${id}","method":"ping"}`, id);
          expect(answer).toMatchObject({ id, result: {} });
          expect(exitCode).toBeUndefined();
        }),
        { seed: FUZZ.seed, numRuns: FUZZ.runs },
      );
    },
    FUZZ.timeoutMs,
  );
});
