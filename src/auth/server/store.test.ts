import { describe, expect, it } from 'vitest';
import { Sealer } from './sealed.js';
import { MemoryAuthorizationStore } from './store.js';

describe('MemoryAuthorizationStore', () => {
  it('is bounded in bytes: a full store refuses, naming the option, and frees what expired', async () => {
    const store = new MemoryAuthorizationStore({ maxBytes: 1000 });
    await store.set('a', 'x'.repeat(200), 20);
    await store.set('b', 'y'.repeat(200), 60_000);
    await expect(store.set('c', 'z'.repeat(200), 60_000)).rejects.toThrow(/maxBytes: 1000/);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await store.set('c', 'z'.repeat(200), 60_000); // the expired entry made room
    expect(await store.get('a')).toBeUndefined();
    expect(store.size).toBe((1 + 200) * 2 * 2);
  });

  it('take reads and deletes once', async () => {
    const store = new MemoryAuthorizationStore();
    await store.set('code', 'grant', 60_000);
    expect(await Promise.all([store.take('code'), store.take('code')])).toEqual(['grant', undefined]);
    expect(store.size).toBe(0);
  });
});

describe('Sealer', () => {
  it('opens only what it sealed, for the same purpose, before it expires', async () => {
    const sealer = new Sealer(new Uint8Array(32).fill(7));
    const sealed = await sealer.seal('pending', { c: 'client' }, 60_000);
    expect(await sealer.open('pending', sealed)).toEqual({ c: 'client' });
    expect(await sealer.open('consent', sealed)).toBeUndefined();
    expect(await new Sealer(new Uint8Array(32).fill(8)).open('pending', sealed)).toBeUndefined();
    const [iv, body] = sealed.split('.') as [string, string];
    // One character changed for sure (the last one may carry only padding bits, so the one before):
    // choosing by the last character left the body intact whenever both matched (1 run in 64).
    const at = body.length - 2;
    const flipped = `${iv}.${body.slice(0, at)}${body[at] === 'A' ? 'B' : 'A'}${body.slice(at + 1)}`;
    expect(flipped).not.toBe(sealed);
    expect(await sealer.open('pending', flipped)).toBeUndefined();
    expect(await sealer.open('pending', await sealer.seal('pending', {}, -1))).toBeUndefined();
  });
});
