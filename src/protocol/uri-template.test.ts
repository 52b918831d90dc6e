import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UriTemplate } from './uri-template.js';

describe('RFC 6570 expansion', () => {
  const values = {
    var: 'value',
    hello: 'Hello World!',
    path: '/foo/bar',
    list: ['red', 'green', 'blue'],
    x: '1024',
    y: '768',
  };
  it.each([
    ['{var}', 'value'],
    ['{hello}', 'Hello%20World%21'],
    ['{+hello}', 'Hello%20World!'],
    ['{+path}/here', '/foo/bar/here'],
    ['{#var}', '#value'],
    ['X{.var}', 'X.value'],
    ['{/var,x}/here', '/value/1024/here'],
    ['{;x,y}', ';x=1024;y=768'],
    ['{?x,y}', '?x=1024&y=768'],
    ['?fixed=yes{&x}', '?fixed=yes&x=1024'],
    ['{var:3}', 'val'],
    ['{list}', 'red,green,blue'],
    ['{list*}', 'red,green,blue'],
    ['{/list*}', '/red/green/blue'],
    ['{?list*}', '?list=red&list=green&list=blue'],
  ])('%s expands to %s', (template, expected) => {
    expect(new UriTemplate(template).expand(values)).toBe(expected);
  });
});

describe('matching', () => {
  it('extracts simple variables', () => {
    expect(new UriTemplate('demo://users/{id}').match('demo://users/ada')).toEqual({ id: 'ada' });
    expect(new UriTemplate('file:///{dir}/{name}.txt').match('file:///docs/readme.txt')).toEqual({
      dir: 'docs',
      name: 'readme',
    });
  });

  it('does not match across path segments or other literals', () => {
    expect(new UriTemplate('demo://users/{id}').match('demo://users/a/b')).toBeUndefined();
    expect(new UriTemplate('demo://users/{id}').match('demo://groups/ada')).toBeUndefined();
  });

  it('decodes percent-encoding and reads query expressions', () => {
    expect(new UriTemplate('s://q/{term}').match('s://q/hello%20world')).toEqual({ term: 'hello world' });
    expect(new UriTemplate('s://search{?q,lang}').match('s://search?q=mcp&lang=en')).toEqual({
      q: 'mcp',
      lang: 'en',
    });
    expect(new UriTemplate('s://search{?q,lang}').match('s://search')).toEqual({});
  });

  it('reserved expansion keeps slashes', () => {
    expect(new UriTemplate('file://{+path}').match('file:///a/b/c.txt')).toEqual({ path: '/a/b/c.txt' });
  });

  it('round-trips any value of a simple variable', () => {
    const t = new UriTemplate('demo://items/{id}/detail');
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (id) => {
        expect(t.match(t.expand({ id }))).toEqual({ id });
      }),
    );
  });

  it('cannot be driven into catastrophic backtracking (URI-template ReDoS advisories)', () => {
    // Each of these would take exponential time with a naive (.*)-per-variable regex.
    const t = new UriTemplate('x://{a}{b}{c}{d}{e}/end');
    expect(t.match(`x://${'a'.repeat(2000)}!`)).toBeUndefined();
    const q = new UriTemplate('x://{+a}{+b}{+c}?z');
    expect(q.match(`x://${'/'.repeat(3000)}`)).toBeUndefined();
  });

  it('refuses URIs over the length bound', () => {
    expect(new UriTemplate('x://{+a}').match(`x://${'a'.repeat(9000)}`)).toBeUndefined();
  });

  it('rejects malformed templates at construction', () => {
    expect(() => new UriTemplate('x://{unclosed')).toThrow(/Unclosed/);
    expect(() => new UriTemplate('x://{bad name}')).toThrow(/Invalid variable/);
  });
});
