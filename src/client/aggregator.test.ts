import { describe, expect, it } from 'vitest';
import { McpServer } from '../server/index.js';
import { createLinkedPair } from '../transports/index.js';
import { Aggregator } from './aggregator.js';
import { Client } from './client.js';

async function serve(server: McpServer): Promise<Client> {
  const [a, b] = createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'agg', version: '1' }, { era: 'legacy' });
  await client.connect(b);
  return client;
}

describe('Aggregator', () => {
  it('namespaces tools and prompts, routes calls, keeps shared URIs apart, and merges change events', async () => {
    const github = new McpServer({ name: 'github', version: '1' });
    github.tool('search', {}, () => 'github results');
    github.resource('file:///README.md', { name: 'readme' }, () => 'github readme');
    github.resource('gh://issues', { name: 'issues' }, () => 'issues');
    const docs = new McpServer({ name: 'docs', version: '1' });
    docs.tool('search', {}, () => 'docs results');
    docs.prompt('summarize', {}, () => [{ role: 'user', content: { type: 'text', text: 'Summarize.' } }]);
    docs.resource('file:///README.md', { name: 'readme' }, () => 'docs readme');
    const all = new Aggregator({ github: await serve(github), docs: await serve(docs) });

    expect((await all.allTools()).map((t) => t.name).sort()).toEqual(['docs__search', 'github__search']);
    expect((await all.callTool('docs__search')).content).toEqual([{ type: 'text', text: 'docs results' }]);
    expect((await all.callTool('github__search')).content).toEqual([
      { type: 'text', text: 'github results' },
    ]);
    expect((await all.allPrompts()).map((p) => p.name)).toEqual(['docs__summarize']); // github has none
    await expect(all.callTool('search')).rejects.toThrow('search names no server of this aggregator');

    expect((await all.allResources()).map((r) => r.uri).sort()).toEqual([
      'docs+file:///README.md',
      'gh://issues',
      'github+file:///README.md',
    ]);
    const read = await all.readResource('docs+file:///README.md');
    expect(read.contents[0]).toMatchObject({ uri: 'file:///README.md', text: 'docs readme' });

    const changed: string[] = [];
    all.on('toolsChanged', (server) => changed.push(server));
    await new Promise((r) => setTimeout(r, 100)); // notifications of the registrations above settle
    changed.length = 0;
    docs.tool('index', {}, () => 'indexed');
    for (let i = 0; i < 50 && changed.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(changed).toEqual(['docs']);
    expect((await all.allTools()).map((t) => t.name)).toContain('docs__index');
  });
});
