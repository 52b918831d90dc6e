import { describe, expect, it } from 'vitest';
import { health } from './health.js';

/** readyz over one check `store` that does `body`, and how many times it ran. */
function counted(body: () => Promise<unknown>) {
  const state = { runs: 0 };
  const { readyz } = health({
    checks: {
      store: () => {
        state.runs++;
        return body();
      },
    },
  });
  return { readyz, state };
}

describe('readyz', () => {
  it('runs its checks once for probes that arrive together, and again for a later one', async () => {
    const { readyz, state } = counted(() => new Promise((resolve) => setTimeout(() => resolve(true), 50)));
    const answers = await Promise.all(Array.from({ length: 20 }, () => readyz()));
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(state.runs).toBe(1);
    expect(await (await readyz()).json()).toMatchObject({
      status: 'ready',
      checks: { store: { status: 'up' } },
    });
    expect(state.runs).toBe(2);
  });

  it('shares a failing run too, and the next probe tries again', async () => {
    const { readyz, state } = counted(() => Promise.reject(new Error('connection refused')));
    const answers = await Promise.all([readyz(), readyz(), readyz()]);
    expect(answers.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(await answers[0]!.json()).toMatchObject({ reasons: ['store: down (connection refused)'] });
    expect(state.runs).toBe(1);
    await readyz();
    expect(state.runs).toBe(2);
  });
});
