/** Onion middleware: each layer runs around the next one and may change or replace its result. */
export type Middleware<C, R> = (ctx: C, next: () => Promise<R>) => Promise<R>;

export function compose<C, R>(
  layers: readonly Middleware<C, R>[],
  last: (ctx: C) => Promise<R>,
): (ctx: C) => Promise<R> {
  if (layers.length === 0) return last;
  return (ctx) => {
    let index = -1;
    const dispatch = (i: number): Promise<R> => {
      if (i <= index) return Promise.reject(new Error('next() called multiple times'));
      index = i;
      const layer = layers[i];
      // `next()` is always a promise: a layer that counts before it and settles the count when
      // that promise does (a concurrency cap) must not leak when a handler refuses at once.
      try {
        return layer ? layer(ctx, () => dispatch(i + 1)) : last(ctx);
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return dispatch(0);
  };
}
