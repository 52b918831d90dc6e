import type { CallToolResult, Prompt, Resource, Tool } from '../protocol/schemas/index.js';
import type { CallOptions, Client, ReadResourceResult } from './client.js';
import { ClientError } from './errors.js';
import { Emitter } from './events.js';

export interface AggregatorOptions {
  /** Between a server's name and its tool or prompt name: `github__search`. Default `__`. */
  separator?: string;
}

export interface AggregatorEvents {
  /** A member's list changed; `server` names which. */
  toolsChanged: [server: string];
  promptsChanged: [server: string];
  resourcesChanged: [server: string];
  resourceUpdated: [server: string, uri: string];
}

/**
 * One view over several different MCP servers: their tools and prompts under namespaced names
 * (`<server><separator><name>`), their resources by URI (each URI belongs to the server that
 * listed it; a URI two servers both list is shown once per server, prefixed with `<server>+`),
 * and their change events merged. Calls are routed to the server a name or URI belongs to.
 */
export class Aggregator {
  private readonly emitter = new Emitter<AggregatorEvents>();
  private readonly separator: string;
  private readonly uris = new Map<string, { server: string; uri: string }>();

  constructor(
    private readonly servers: Readonly<Record<string, Client>>,
    options: AggregatorOptions = {},
  ) {
    this.separator = options.separator ?? '__';
    for (const [name, client] of Object.entries(servers)) {
      if (name.includes(this.separator))
        throw new TypeError(
          `Aggregator: the server name "${name}" contains the separator "${this.separator}"`,
        );
      client.on('toolsChanged', () => this.emitter.emit('toolsChanged', name));
      client.on('promptsChanged', () => this.emitter.emit('promptsChanged', name));
      client.on('resourcesChanged', () => this.emitter.emit('resourcesChanged', name));
      client.on('resourceUpdated', (uri) => this.emitter.emit('resourceUpdated', name, uri));
    }
  }

  on<K extends keyof AggregatorEvents>(event: K, listener: (...args: AggregatorEvents[K]) => void) {
    return this.emitter.on(event, listener);
  }

  /** Every server's tools, named `<server><separator><tool>`. */
  async allTools(options?: CallOptions): Promise<Tool[]> {
    return this.gather(
      'tools',
      (client) => client.allTools(options),
      (server, tool) => ({
        ...tool,
        name: `${server}${this.separator}${tool.name}`,
      }),
    );
  }

  async callTool(
    name: string,
    args: Record<string, unknown> = {},
    options?: CallOptions,
  ): Promise<CallToolResult> {
    const [client, own] = this.route(name);
    return client.callTool(own, args, options);
  }

  async allPrompts(options?: CallOptions): Promise<Prompt[]> {
    return this.gather(
      'prompts',
      (client) => client.allPrompts(options),
      (server, prompt) => ({
        ...prompt,
        name: `${server}${this.separator}${prompt.name}`,
      }),
    );
  }

  async getPrompt(name: string, args: Record<string, string> = {}, options?: CallOptions) {
    const [client, own] = this.route(name);
    return client.getPrompt(own, args, options);
  }

  /** Every server's resources; a URI listed by more than one server is shown as `<server>+<uri>`. */
  async allResources(options?: CallOptions): Promise<Resource[]> {
    const listed = await Promise.all(
      Object.entries(this.servers).map(async ([server, client]) => ({
        server,
        items: await client.allResources(options),
      })),
    );
    const owners = new Map<string, number>();
    for (const { items } of listed) for (const r of items) owners.set(r.uri, (owners.get(r.uri) ?? 0) + 1);
    this.uris.clear();
    const all: Resource[] = [];
    for (const { server, items } of listed)
      for (const resource of items) {
        const shown = (owners.get(resource.uri) ?? 0) > 1 ? `${server}+${resource.uri}` : resource.uri;
        this.uris.set(shown, { server, uri: resource.uri });
        all.push({ ...resource, uri: shown });
      }
    return all;
  }

  async readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult> {
    const owner = this.uris.get(uri);
    if (!owner)
      throw new ClientError('unsupported', `No server listed the resource ${uri} (list resources first)`);
    return (this.servers[owner.server] as Client).readResource(owner.uri, options);
  }

  private route(name: string): [Client, string] {
    const at = name.indexOf(this.separator);
    const client = at > 0 ? this.servers[name.slice(0, at)] : undefined;
    if (!client)
      throw new ClientError(
        'unsupported',
        `${name} names no server of this aggregator (<server>${this.separator}<name>)`,
      );
    return [client, name.slice(at + this.separator.length)];
  }

  /** Servers that offer `capability` (a server without prompts is skipped, not an error). */
  private offering(capability: 'tools' | 'prompts' | 'resources'): [string, Client][] {
    return Object.entries(this.servers).filter(([, client]) => client.serverCapabilities?.[capability]);
  }

  private async gather<T>(
    capability: 'tools' | 'prompts',
    list: (client: Client) => Promise<T[]>,
    rename: (server: string, item: T) => T,
  ): Promise<T[]> {
    const lists = await Promise.all(
      this.offering(capability).map(async ([server, client]) =>
        (await list(client)).map((item) => rename(server, item)),
      ),
    );
    return lists.flat();
  }
}
