import { describe, expect, it } from 'vitest';
import { Rbac } from './rbac.js';

describe('Rbac patterns against a caller-chosen subject', () => {
  const rbac = new Rbac({
    roles: { reader: { allow: ['resources:file:///*/*/*.txt', 'tools:search_*'] } },
    anonymousRoles: ['reader'],
  });

  it('decides on a long hostile URI at once (a backtracking regular expression took 28 s on 4,000 slashes)', () => {
    const uri = `file:///${'/'.repeat(100_000)}x`;
    expect(rbac.allows(undefined, `resources:${uri}`)).toBe(false);
    expect(rbac.allows(undefined, `resources:${uri}.txt`)).toBe(true);
  });

  it('still means what the patterns say', () => {
    expect(rbac.allows(undefined, 'resources:file:///a/b/c.txt')).toBe(true);
    expect(rbac.allows(undefined, 'resources:file:///a/b.txt')).toBe(false);
    expect(rbac.allows(undefined, 'tools:search_web')).toBe(true);
    expect(rbac.allows(undefined, 'tools:search')).toBe(false);
  });
});
