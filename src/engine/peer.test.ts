import { describe, expect, it } from 'vitest';
import { ErrorCode, McpError } from '../protocol/errors.js';
import type { JsonRpcNotification } from '../protocol/jsonrpc.js';
import { createLinkedPair } from '../transports/memory/linked-pair.js';
import { type IncomingRequest, Peer, type PeerHandlers } from './peer.js';

async function pair(serverHandlers: Partial<PeerHandlers> = {}, clientHandlers: Partial<PeerHandlers> = {}) {
  const [a, b] = createLinkedPair();
  const fail = async () => {
    throw new McpError(ErrorCode.MethodNotFound, 'no');
  };
  const server = new Peer(a, { onRequest: fail, ...serverHandlers });
  const client = new Peer(b, { onRequest: fail, ...clientHandlers }, { defaultTimeoutMs: 1000 });
  await server.start();
  await client.start();
  return { server, client };
}

describe('request/response correlation', () => {
  it('matches concurrent responses to their requests', async () => {
    const { client } = await pair({
      onRequest: async ({ message }) => {
        await new Promise((r) => setTimeout(r, Number(message.params?.wait)));
        return { echo: message.params?.n };
      },
    });
    const results = await Promise.all([30, 10, 20].map((wait, n) => client.request('x', { wait, n })));
    expect(results).toEqual([{ echo: 0 }, { echo: 1 }, { echo: 2 }]);
  });

  it('turns an error response into an McpError with code and data', async () => {
    const { client } = await pair({
      onRequest: async () => {
        throw new McpError(-32099, 'custom', { why: 'because' });
      },
    });
    await expect(client.request('x')).rejects.toMatchObject({
      code: -32099,
      message: 'custom',
      data: { why: 'because' },
    });
  });

  it('hides unexpected handler errors behind -32603', async () => {
    const { client } = await pair({
      onRequest: async () => {
        throw new Error('secret internals');
      },
    });
    await expect(client.request('x')).rejects.toMatchObject({
      code: ErrorCode.InternalError,
      message: 'Internal error',
    });
  });

  it('answers a handler that throws at once (not async) like one that rejects', async () => {
    const { server, client } = await pair({
      onRequest: ({ message }) => {
        if (message.method === 'bad') throw new McpError(ErrorCode.InvalidParams, 'refused at once');
        return Promise.resolve({ ok: true });
      },
    });
    await expect(client.request('bad')).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: 'refused at once',
    });
    expect(await client.request('good')).toEqual({ ok: true });
    expect(server.load).toEqual({ pending: 0, inFlight: 0 });
  });
});

describe('timeouts and cancellation', () => {
  it('times out, and the handler on the other side sees its signal abort', async () => {
    let seen: IncomingRequest | undefined;
    const { client } = await pair({
      onRequest: (incoming) => {
        seen = incoming;
        return new Promise(() => {});
      },
    });
    await expect(client.request('slow', {}, { timeoutMs: 50 })).rejects.toMatchObject({
      code: ErrorCode.RequestTimeout,
    });
    await expect.poll(() => seen?.signal.aborted).toBe(true);
  });

  it('cancels with an AbortSignal and never answers the cancelled request', async () => {
    let aborted = false;
    const { client, server } = await pair({
      onRequest: ({ signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason);
          });
        }),
    });
    const controller = new AbortController();
    const call = client.request('slow', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 10);
    await expect(call).rejects.toThrow('stop');
    await expect.poll(() => aborted).toBe(true);
    expect(server.isClosed).toBe(false);
  });

  it('rejects every pending request when the connection closes', async () => {
    const { client, server } = await pair({ onRequest: () => new Promise(() => {}) });
    const call = client.request('hang');
    await server.close();
    await expect(call).rejects.toMatchObject({ code: ErrorCode.ConnectionClosed });
  });
});

describe('progress', () => {
  it('routes progress notifications to the caller by token', async () => {
    const { client } = await pair({
      onRequest: async (incoming) => {
        const token = (incoming.message.params!._meta as { progressToken: number }).progressToken;
        for (let i = 1; i <= 3; i++)
          await incoming.notify('notifications/progress', { progressToken: token, progress: i, total: 3 });
        return {};
      },
    });
    const seen: number[] = [];
    await client.request('work', {}, { onProgress: (p) => void seen.push(p.progress) });
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('batches', () => {
  it('are refused with one error unless the policy allows them', async () => {
    const [a, b] = createLinkedPair();
    const frames: string[] = [];
    await new Peer(a, { onRequest: async () => ({}) }).start();
    await b.start({ onFrame: (f) => void frames.push(f), onClose: () => {} });
    await b.send('[{"jsonrpc":"2.0","id":1,"method":"x"}]');
    await expect.poll(() => frames.length).toBe(1);
    expect(JSON.parse(frames[0]!)).toMatchObject({ id: null, error: { code: ErrorCode.InvalidRequest } });
  });

  it('are answered with one array when allowed; notifications get no answer', async () => {
    const [a, b] = createLinkedPair();
    const frames: string[] = [];
    const notes: JsonRpcNotification[] = [];
    await new Peer(a, {
      onRequest: async ({ message }) => ({ got: message.id }),
      onNotification: (n) => void notes.push(n),
      batchPolicy: () => undefined,
    }).start();
    await b.start({ onFrame: (f) => void frames.push(f), onClose: () => {} });
    await b.send(
      '[{"jsonrpc":"2.0","id":1,"method":"x"},{"jsonrpc":"2.0","method":"n"},{"jsonrpc":"2.0","id":"b","method":"y"}]',
    );
    await expect.poll(() => frames.length).toBe(1);
    expect(JSON.parse(frames[0]!)).toEqual([
      { jsonrpc: '2.0', id: 1, result: { got: 1 } },
      { jsonrpc: '2.0', id: 'b', result: { got: 'b' } },
    ]);
    expect(notes.map((n) => n.method)).toEqual(['n']);
  });
});

describe('nothing leaks', () => {
  it('leaves no pending or in-flight request behind after timeouts, cancellations and errors', async () => {
    const { client, server } = await pair({
      onRequest: ({ message, signal }) =>
        message.method === 'fail'
          ? Promise.reject(new Error('x'))
          : new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      calls.push(client.request('hang', {}, { timeoutMs: 5 }));
      const controller = new AbortController();
      calls.push(client.request('hang', {}, { signal: controller.signal }));
      controller.abort();
      calls.push(client.request('fail'));
    }
    const settled = await Promise.allSettled(calls);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(client.load).toEqual({ pending: 0, inFlight: 0 });
    await expect.poll(() => server.load).toEqual({ pending: 0, inFlight: 0 });
  });
});

describe('bounds', () => {
  it('refuses a request id that is still in flight', async () => {
    const [a, b] = createLinkedPair();
    const frames: string[] = [];
    await new Peer(a, { onRequest: () => new Promise(() => {}) }).start();
    await b.start({ onFrame: (f) => void frames.push(f), onClose: () => {} });
    await b.send('{"jsonrpc":"2.0","id":1,"method":"x"}');
    await b.send('{"jsonrpc":"2.0","id":1,"method":"x"}');
    await expect.poll(() => frames.length).toBe(1);
    expect(JSON.parse(frames[0]!).error.message).toMatch(/already in use/);
  });

  it('caps requests in flight', async () => {
    const [a, b] = createLinkedPair();
    const frames: string[] = [];
    await new Peer(a, { onRequest: () => new Promise(() => {}) }, { maxInFlightRequests: 2 }).start();
    await b.start({ onFrame: (f) => void frames.push(f), onClose: () => {} });
    for (let id = 1; id <= 3; id++) await b.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'x' }));
    await expect.poll(() => frames.length).toBe(1);
    expect(JSON.parse(frames[0]!)).toMatchObject({
      id: 3,
      error: { code: -32005, data: { limit: 'maxInFlightRequests' } },
    });
    expect(JSON.parse(frames[0]!).error.message).toContain('maxInFlightRequests');
  });
});
