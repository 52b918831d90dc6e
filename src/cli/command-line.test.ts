import { describe, expect, it } from 'vitest';
import { splitCommandLine } from './command-line.js';

describe('command lines', () => {
  it.each([
    ['npx -y pkg', ['npx', '-y', 'pkg']],
    ['  node   "my server.js"  --flag ', ['node', 'my server.js', '--flag']],
    [`say 'it''s' "a \\"b\\""`, ['say', 'its', 'a "b"']],
    ['a\\ b c', ['a b', 'c']],
    ['empty ""', ['empty', '']],
  ])('%s', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });

  it('refuses an unclosed quote', () => {
    expect(() => splitCommandLine('node "open')).toThrow(/Unclosed/);
  });
});
