import { describe, expect, it } from 'vitest';
// @ts-expect-error: the benchmark scripts are plain ESM without types
import { runSoak, soakReport } from '../bench/soak.mjs';

const MiB = 1024 * 1024;

describe('soak (short variant of npm run bench -- --soak)', () => {
  it('keeps memory flat over mixed traffic and leaves nothing behind once every session is deleted', async () => {
    const r = await runSoak({ httpRequests: 4000, stdioRequests: 2000, concurrency: 8, sampleEvery: 2000 });
    console.log(soakReport(r));
    expect(r.failures).toBe(0);
    expect(r.requests).toBe(6000);
    // DELETE of every session empties the event store: no stream of a session outlives it.
    expect(r.after.http.events).toEqual({ clients: 0, sessions: 0, streams: 0, events: 0, bytes: 0 });
    expect(r.after.http.sessions).toBe(0);
    // Retained after a forced GC: a generous bound, far below what a leak of these requests holds.
    expect(r.after.http.heapUsed - r.before.http.heapUsed).toBeLessThan(16 * MiB);
    expect(r.after.stdio.heapUsed - r.before.stdio.heapUsed).toBeLessThan(16 * MiB);
  }, 120_000);
});
