import { Validator } from '@cfworker/json-schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quickCheck } from './json-schema-fast.js';
import { interpretJsonSchema } from './json-schema-validator.js';

/** Schemas inside the quick subset, nested, with every keyword it knows. */
const leaf = fc.oneof(
  fc.constant({ type: 'string' }),
  fc.record({ type: fc.constant('string'), minLength: fc.nat(3), maxLength: fc.nat(4) }),
  fc.record({ type: fc.constantFrom('number', 'integer'), minimum: fc.integer({ min: -3, max: 3 }) }),
  fc.record({
    exclusiveMaximum: fc.integer({ min: -3, max: 3 }),
    exclusiveMinimum: fc.integer({ min: -5, max: 0 }),
  }),
  fc.record({ type: fc.constant(['string', 'null']) }),
  fc.record({
    enum: fc.array(
      fc.oneof(fc.string({ maxLength: 2 }), fc.integer({ min: -2, max: 2 }), fc.constant(null)),
      { minLength: 1, maxLength: 3 },
    ),
  }),
  fc.record({ const: fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 2 })) }),
  fc.constant({ type: 'boolean', description: 'annotations never refuse', 'x-mcp-header': 'X' }),
  fc.constant(true),
  fc.constant(false),
);
const schema: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ maxDepth: 3 }, leaf, tie('object'), tie('array')),
  object: fc.record(
    {
      type: fc.constant('object'),
      properties: fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('node'), { maxKeys: 3 }),
      required: fc.subarray(['a', 'b', 'c']),
      additionalProperties: fc.oneof(fc.boolean(), tie('node')),
    },
    { requiredKeys: ['type'] },
  ),
  array: fc.record(
    { type: fc.constant('array'), items: tie('node'), minItems: fc.nat(2), maxItems: fc.nat(3) },
    { requiredKeys: ['type'] },
  ),
})).node;

/** Values shaped to hit those schemas: the same keys, small numbers, surrogate pairs. */
const SCALARS = [null, true, false, 0, 1, -1, 1.5, 2, -3, 3, '', 'a', 'ab', '😀', '😀😀', 'abc'];
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { maxDepth: 3 },
    fc.constantFrom(...SCALARS),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('v'), { maxKeys: 4 }),
    fc.array(tie('v'), { maxLength: 4 }),
  ),
})).v;
/** Each schema meets every scalar, and the same scalars under each key, besides random values. */
const values = fc
  .array(value, { maxLength: 20 })
  .map((random) => [...random, ...SCALARS, ...SCALARS.map((x) => ({ a: x, b: x, c: x })), SCALARS, {}, []]);

describe('the quick JSON Schema check', () => {
  it('never accepts a value the interpreter refuses', () => {
    fc.assert(
      fc.property(schema, values, (s, vs) => {
        const quick = quickCheck(s);
        expect(quick).toBeDefined();
        const interpreter = new Validator(s as object, '2020-12', false);
        for (const v of vs)
          if (quick!(v)) expect(interpreter.validate(v).valid, JSON.stringify(v)).toBe(true);
      }),
      { numRuns: 1500, seed: 20261129 },
    );
  });

  it('accepts what the interpreter accepts, for the common shapes (so it is worth having)', () => {
    fc.assert(
      fc.property(schema, value, (s, v) => {
        if (new Validator(s as object, '2020-12', false).validate(v).valid)
          expect(quickCheck(s)!(v)).toBe(true);
      }),
      { numRuns: 1500, seed: 20261129 },
    );
  });

  it('declines schemas outside its subset, which the interpreter then checks alone', async () => {
    for (const s of [
      { type: 'string', format: 'email' },
      { type: 'string', pattern: '^a' },
      { anyOf: [{ type: 'string' }] },
      { $ref: '#/$defs/x', $defs: { x: { type: 'string' } } },
      { type: 'object', properties: { a: { type: 'string', format: 'uri' } } },
      { enum: [{ a: 1 }] },
    ])
      expect(quickCheck(s), JSON.stringify(s)).toBeUndefined();
    // The interpreter loads on first need: its first verdicts may come as promises.
    const check = interpretJsonSchema({ type: 'string', format: 'email' }, 'input');
    expect(await check('a@example.com')).toBe(true);
    expect(await check('not an email')).toMatch(/email/);
    // Once loaded, verdicts come at once.
    expect(check('b@example.com')).toBe(true);
  });
});
