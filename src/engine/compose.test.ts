import { describe, expect, it } from 'vitest';
import { compose, type Middleware } from './compose.js';

describe('onion middleware', () => {
  it('runs layers around the handler, outermost first', async () => {
    const trace: string[] = [];
    const layer =
      (name: string): Middleware<object, string> =>
      async (_ctx, next) => {
        trace.push(`${name} in`);
        const result = await next();
        trace.push(`${name} out`);
        return `${name}(${result})`;
      };
    const run = compose([layer('a'), layer('b')], async () => {
      trace.push('handler');
      return 'x';
    });
    expect(await run({})).toBe('a(b(x))');
    expect(trace).toEqual(['a in', 'b in', 'handler', 'b out', 'a out']);
  });

  it('lets a layer answer without calling next', async () => {
    const run = compose<object, string>([async () => 'short-circuit'], async () => 'handler');
    expect(await run({})).toBe('short-circuit');
  });

  it('refuses a second call to next()', async () => {
    const run = compose<object, string>(
      [
        async (_ctx, next) => {
          await next();
          return next();
        },
      ],
      async () => 'x',
    );
    await expect(run({})).rejects.toThrow('next() called multiple times');
  });
});
