import { describe, expect, it } from 'vitest';
import { createStreamableHttpHandler } from '../src/http/index.js';
import { McpServer } from '../src/server/index.js';
import { JSON_HEADERS, MODERN_META, modernHeaders } from './helpers/http.js';

// A handler's result that JSON cannot carry (here a BigInt) once crashed the process: the encoding
// threw inside a promise reaction, an unhandled rejection, and the request was never answered.
function server(): McpServer {
  const s = new McpServer({ name: 'unencodable', version: '1' });
  s.tool('big', {}, () => ({ content: [{ type: 'text', text: 'x' }], _meta: { n: 10n } }));
  s.tool('fine', {}, () => 'fine');
  return s;
}

function post(body: object | object[], headers: Record<string, string> = JSON_HEADERS): Request {
  return new Request('http://localhost/mcp', { method: 'POST', headers, body: JSON.stringify(body) });
}

/** Opens a legacy session at `revision`: the headers of a request in it. */
async function openSession(
  handler: (request: Request) => Promise<Response>,
  revision: string,
): Promise<Record<string, string>> {
  const init = await handler(
    post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: revision, capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  );
  return {
    ...JSON_HEADERS,
    'mcp-session-id': init.headers.get('mcp-session-id')!,
    'mcp-protocol-version': revision,
  };
}

describe('a result JSON cannot encode', () => {
  it('is answered with an internal error, in both eras and in a batch, and the server goes on', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const handler = createStreamableHttpHandler(server());
      const modern = (name: string) =>
        handler(
          post(
            {
              jsonrpc: '2.0',
              id: 1,
              method: 'tools/call',
              params: { name, arguments: {}, _meta: MODERN_META },
            },
            modernHeaders('tools/call', name),
          ),
        );
      expect(await (await modern('big')).json()).toMatchObject({
        id: 1,
        error: { code: -32603, message: expect.stringMatching(/cannot be encoded as JSON/) },
      });
      expect(await (await modern('fine')).json()).toMatchObject({
        id: 1,
        result: { content: [{ text: 'fine' }] },
      });

      const session = await openSession(handler, '2025-06-18');
      const legacy = (id: number, name: string) =>
        handler(post({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } }, session));
      expect(await (await legacy(2, 'big')).json()).toMatchObject({ id: 2, error: { code: -32603 } });
      expect(await (await legacy(3, 'fine')).json()).toMatchObject({
        id: 3,
        result: { content: [{ text: 'fine' }] },
      });

      // 2025-03-26 batches: the one item that cannot be encoded is an error, the other its result.
      const batchSession = await openSession(handler, '2025-03-26');
      const batch = await handler(
        post(
          [
            { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'big', arguments: {} } },
            { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'fine', arguments: {} } },
          ],
          batchSession,
        ),
      );
      const answers = (await batch.json()) as { id: number }[];
      expect(answers.sort((a, b) => a.id - b.id)).toMatchObject([
        { id: 4, error: { code: -32603 } },
        { id: 5, result: { content: [{ text: 'fine' }] } },
      ]);

      await handler.close();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
