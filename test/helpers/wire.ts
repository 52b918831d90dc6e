import { META } from '../../src/protocol/index.js';
import type { McpServer } from '../../src/server/index.js';
import { createLinkedPair } from '../../src/transports/index.js';

type Message = Record<string, any>;

/** A raw JSON-RPC client on an in-memory wire, for tests that check exact messages. */
export async function wire(server: McpServer) {
  const [serverSide, clientSide] = createLinkedPair();
  await server.connect(serverSide);
  const inbox: Message[] = [];
  await clientSide.start({ onFrame: (frame) => void inbox.push(JSON.parse(frame)), onClose: () => {} });
  let nextId = 1;

  async function waitFor(predicate: (m: Message) => boolean, what = 'a message'): Promise<Message> {
    const deadline = Date.now() + 3000;
    for (;;) {
      const found = inbox.find(predicate);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${what}; inbox: ${JSON.stringify(inbox).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  return {
    inbox,
    waitFor,
    send: (message: Message | string) =>
      clientSide.send(typeof message === 'string' ? message : JSON.stringify(message)),
    /** Sends a request and resolves with its whole response message. */
    async request(method: string, params?: Message, id: string | number = nextId++): Promise<Message> {
      await clientSide.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }));
      return waitFor((m) => m.id === id && !('method' in m), `the response to ${method} #${id}`);
    },
    notify: (method: string, params?: Message) =>
      clientSide.send(JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) })),
    notifications: (method: string) => inbox.filter((m) => m.method === method),
    close: () => clientSide.close(),
  };
}

export type Wire = Awaited<ReturnType<typeof wire>>;

/** Opens a legacy session at the given revision. */
export async function initialized(
  server: McpServer,
  protocolVersion = '2025-11-25',
  capabilities: Message = {},
) {
  const w = await wire(server);
  const response = await w.request('initialize', {
    protocolVersion,
    capabilities,
    clientInfo: { name: 'test', version: '1' },
  });
  await w.notify('notifications/initialized');
  return { ...w, response };
}

/** Params of a modern (2026-07-28) request. */
export function modern(params: Message = {}, capabilities: Message = {}, extraMeta: Message = {}): Message {
  return {
    ...params,
    _meta: {
      [META.protocolVersion]: '2026-07-28',
      [META.clientCapabilities]: capabilities,
      [META.clientInfo]: { name: 'test', version: '1' },
      ...extraMeta,
    },
  };
}

/** A modern server's `server/discover` result: 2026-07-28 only, with tools, nothing to cache. */
export function discovered(name: string): Message {
  return {
    resultType: 'complete',
    supportedVersions: ['2026-07-28'],
    capabilities: { tools: {} },
    serverInfo: { name, version: '1' },
    ttlMs: 0,
    cacheScope: 'private',
  };
}
