import { describe, expect, it } from 'vitest';
import { initialized, modern, wire } from '../../test/helpers/wire.js';
import { UriTemplate } from '../protocol/uri-template.js';
import { McpServer } from './mcp-server.js';

describe('template values that decode to path syntax (hardening: %2F and %2e%2e reached {name})', () => {
  function files(options: { allowUnsafeValues?: boolean } = {}) {
    const s = new McpServer({ name: 'files', version: '1' });
    s.resourceTemplate(
      'file:///docs/{name}',
      { name: 'doc', ...options },
      (_uri, { name }) => `read ${String(name)}`,
    );
    s.resourceTemplate('file:///raw{+path}', { name: 'raw' }, (_uri, { path }) => `raw ${String(path)}`);
    return s;
  }

  it.each([
    'file:///docs/..%2F..%2Fetc%2Fpasswd',
    'file:///docs/%2e%2e',
    'file:///docs/.',
    'file:///docs/a%00b',
    'file:///docs/a%5Cb',
  ])('refuses %s with -32602 naming allowUnsafeValues, in both eras', async (uri) => {
    const legacy = await initialized(files());
    const answer = await legacy.request('resources/read', { uri });
    expect(answer.error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('allowUnsafeValues'),
    });
    const m = await wire(files());
    expect((await m.request('resources/read', modern({ uri }))).error.code).toBe(-32602);
  });

  it('serves ordinary values, and unsafe ones when the template allows them', async () => {
    const strict = await initialized(files());
    expect(
      (await strict.request('resources/read', { uri: 'file:///docs/report%20v2.txt' })).result.contents[0]
        .text,
    ).toBe('read report v2.txt');
    // Reserved expansion: slashes belong to the value by design.
    expect((await strict.request('resources/read', { uri: 'file:///raw/a/b' })).result.contents[0].text).toBe(
      'raw /a/b',
    );
    const lax = await initialized(files({ allowUnsafeValues: true }));
    expect(
      (await lax.request('resources/read', { uri: 'file:///docs/..%2Fx' })).result.contents[0].text,
    ).toBe('read ../x');
  });

  it('keeps allowUnsafeValues off the wire', async () => {
    const w = await initialized(files({ allowUnsafeValues: true }));
    const listed = (await w.request('resources/templates/list', {})).result.resourceTemplates;
    for (const t of listed) expect(t).not.toHaveProperty('allowUnsafeValues');
  });

  it('UriTemplate.unsafeValue checks every expansion but the reserved ones', () => {
    expect(new UriTemplate('x://{a}{?q}').unsafeValue({ a: 'ok', q: '../up' })).toEqual({
      name: 'q',
      value: '../up',
    });
    expect(new UriTemplate('x://{/seg*}').unsafeValue({ seg: ['a', '..'] })).toEqual({
      name: 'seg',
      value: '..',
    });
    expect(new UriTemplate('x://{+p}{#f}').unsafeValue({ p: '/a/../b', f: '/x' })).toBeUndefined();
    expect(new UriTemplate('x://{a}').unsafeValue({ a: '...' })).toBeUndefined();
  });
});
