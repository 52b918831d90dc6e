import { describe, expect, it } from 'vitest';
import type { Principal } from '../src/engine/index.js';
import { createStreamableHttpHandler, type RequestAuthenticator } from '../src/http/index.js';
import { McpServer } from '../src/server/index.js';
import { MODERN_META, modernHeaders } from './helpers/http.js';

// A user's authenticator may answer with a thenable that is not a native promise (an older promise
// library, a hand-made one). It must be waited for like a promise, never read as a verdict.
function thenable<T>(value: T): PromiseLike<T> {
  // biome-ignore lint/suspicious/noThenProperty: the thenable is what this test is about
  return { then: (resolve) => Promise.resolve(resolve?.(value)) as never };
}

function handlerWith(verdict: Awaited<ReturnType<RequestAuthenticator['authenticate']>>) {
  const server = new McpServer({ name: 'custom-auth', version: '1' });
  server.tool('whoami', {}, (_args, ctx) => ctx.auth?.subject ?? 'nobody');
  const auth = { authenticate: () => thenable(verdict) } as unknown as RequestAuthenticator;
  return createStreamableHttpHandler(server, { auth });
}

const call = () =>
  new Request('http://localhost/mcp', {
    method: 'POST',
    headers: modernHeaders('tools/call', 'whoami'),
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'whoami', arguments: {}, _meta: MODERN_META },
    }),
  });

describe('an authenticator that answers with a non-native thenable', () => {
  it('is refused when the thenable holds a refusal', async () => {
    const handler = handlerWith({ refusal: { status: 401, headers: {}, body: 'no' } });
    const response = await handler(call());
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('no');
  });

  it('is served as the principal the thenable holds', async () => {
    const principal: Principal = { subject: 'ada', scopes: [], roles: [], method: 'custom' };
    const response = await handlerWith({ principal })(call());
    expect(await response.json()).toMatchObject({ result: { content: [{ text: 'ada' }] } });
  });
});
