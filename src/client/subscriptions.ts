import type { Peer } from '../engine/peer.js';
import type { Era } from '../protocol/revisions.js';
import type { ServerCapabilities, SubscriptionFilter } from '../protocol/schemas/index.js';

/** What a subscription needs of the client that opens it. */
export interface SubscribingClient {
  request(method: string, params?: Record<string, unknown>): Promise<unknown>;
  readonly serverCapabilities: ServerCapabilities | undefined;
  modernEnvelope(): Record<string, unknown>;
  /** Listen requests awaiting their acknowledgment notification, by request id. */
  readonly acknowledgments: Map<string | number, (params: Record<string, unknown>) => void>;
}

export interface SubscriptionRequest {
  tools?: boolean;
  prompts?: boolean;
  resources?: boolean;
  /** Resources whose updates to receive. */
  resourceUris?: string[];
}

export interface Subscription {
  /** What the server agreed to deliver. */
  readonly honored: SubscriptionRequest;
  close(): Promise<void>;
  /** How it ended: closed here, ended by the server, or the connection dropped. */
  readonly closed: Promise<'local' | 'graceful' | 'remote'>;
}

/**
 * Opens change notifications. Events arrive through `client.on(...)` in both eras: legacy servers
 * send list changes unsolicited and resource updates after `resources/subscribe`; modern servers
 * send what a `subscriptions/listen` stream agreed to.
 */
export async function subscribe(
  client: SubscribingClient,
  peer: Peer,
  era: Era,
  request: SubscriptionRequest,
): Promise<Subscription> {
  const uris = request.resourceUris ?? [];
  if (era === 'legacy') {
    for (const uri of uris) await client.request('resources/subscribe', { uri });
    const caps = client.serverCapabilities ?? {};
    let settle: (how: 'local') => void = () => {};
    const closed = new Promise<'local' | 'graceful' | 'remote'>((resolve) => (settle = resolve));
    return {
      honored: {
        ...(request.tools && caps.tools?.listChanged ? { tools: true } : {}),
        ...(request.prompts && caps.prompts?.listChanged ? { prompts: true } : {}),
        ...(request.resources && caps.resources?.listChanged ? { resources: true } : {}),
        ...(uris.length > 0 ? { resourceUris: uris } : {}),
      },
      closed,
      async close() {
        for (const uri of uris) await client.request('resources/unsubscribe', { uri }).catch(() => {});
        settle('local');
      },
    };
  }

  const filter: SubscriptionFilter = {
    ...(request.tools ? { toolsListChanged: true } : {}),
    ...(request.prompts ? { promptsListChanged: true } : {}),
    ...(request.resources ? { resourcesListChanged: true } : {}),
    ...(uris.length > 0 ? { resourceSubscriptions: uris } : {}),
  };
  const controller = new AbortController();
  let listenId: string | number | undefined;
  let acknowledged: (params: Record<string, unknown>) => void = () => {};
  const ack = new Promise<Record<string, unknown>>((resolve) => (acknowledged = resolve));
  const stream = peer.request(
    'subscriptions/listen',
    { notifications: filter, _meta: client.modernEnvelope() },
    {
      timeoutMs: 0,
      signal: controller.signal,
      onId: (id) => {
        listenId = id;
        client.acknowledgments.set(id, acknowledged);
      },
    },
  );
  const closed = stream.then(
    () => 'graceful' as const,
    () => (controller.signal.aborted ? ('local' as const) : ('remote' as const)),
  );
  const cleanup = () => client.acknowledgments.delete(listenId!);
  void closed.then(cleanup);
  // Before the acknowledgment, a failed listen fails this call; after it, `closed` reports it.
  const ended = stream.then(() => undefined);
  ended.catch(() => {});
  const first = await Promise.race([ack, ended]);
  if (!first) throw new Error('The server ended the subscription before acknowledging it');
  const agreed = (first.notifications ?? {}) as SubscriptionFilter;
  return {
    honored: {
      ...(agreed.toolsListChanged ? { tools: true } : {}),
      ...(agreed.promptsListChanged ? { prompts: true } : {}),
      ...(agreed.resourcesListChanged ? { resources: true } : {}),
      ...(agreed.resourceSubscriptions ? { resourceUris: agreed.resourceSubscriptions } : {}),
    },
    closed,
    async close() {
      controller.abort();
      await closed;
    },
  };
}
