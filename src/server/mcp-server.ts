import type { Transport } from '../engine/transport.js';
import type { Implementation } from '../protocol/schemas/index.js';
import type { ServerConnection } from './connection.js';
import type { ServerRuntime } from './core.js';
import { buildPrompt, type PromptConfig, type PromptHandler } from './prompts.js';
import {
  buildResource,
  buildTemplate,
  type ResourceConfig,
  type ResourceHandler,
  type ResourceTemplateConfig,
  type TemplateHandler,
} from './resources.js';
import { type McpServerOptions, Runtime, type ServerMiddleware } from './runtime.js';
import type { SchemaInput } from './schema.js';
import { buildTool, type ToolConfig, type ToolHandler } from './tools.js';

export type { McpServerOptions, ServerMiddleware } from './runtime.js';
export type ServerInfo = Implementation;

/** A registration that can be withdrawn or paused; each change notifies clients (coalesced). */
export interface Registration {
  remove(): void;
}
export interface ToolRegistration extends Registration {
  enable(): void;
  disable(): void;
}

/** The runtime behind a server, for mcpkit's own transports; not part of the public API. */
export let runtimeOf: (server: McpServer) => ServerRuntime;

/**
 * An MCP server for both eras. Register tools, resources, templates and prompts once; connect it
 * to any number of transports. Legacy clients get an `initialize` session per connection, modern
 * clients are served per request.
 */
export class McpServer {
  readonly #runtime: Runtime;

  static {
    runtimeOf = (server) => server.#runtime;
  }

  constructor(info: ServerInfo, options: McpServerOptions = {}) {
    this.#runtime = new Runtime(info, options);
  }

  get info(): ServerInfo {
    return this.#runtime.info;
  }

  /** The largest message accepted (`limits.maxMessageLength`); stdio sizes its line buffer by it. */
  get maxMessageLength(): number {
    return this.#runtime.maxMessageLength;
  }

  tool<I extends SchemaInput | undefined = undefined, O extends SchemaInput | undefined = undefined>(
    name: string,
    config: ToolConfig<I, O>,
    handler: ToolHandler<I, O>,
  ): ToolRegistration {
    const { tools } = this.#runtime;
    if (tools.has(name)) throw new TypeError(`Tool "${name}" is already registered`);
    const tool = buildTool(name, config, handler, this.#runtime.jsonSchemaValidator);
    tools.set(name, tool);
    return {
      remove: () => tools.delete(name),
      enable: () => this.#runtime.toggle(tool, true),
      disable: () => this.#runtime.toggle(tool, false),
    };
  }

  resource(uri: string, config: ResourceConfig, handler: ResourceHandler): Registration {
    const { resources } = this.#runtime;
    if (resources.has(uri)) throw new TypeError(`Resource "${uri}" is already registered`);
    resources.set(uri, buildResource(uri, config, handler));
    return { remove: () => resources.delete(uri) };
  }

  resourceTemplate(
    uriTemplate: string,
    config: ResourceTemplateConfig,
    handler: TemplateHandler,
  ): Registration {
    const { templates } = this.#runtime;
    if (templates.has(uriTemplate))
      throw new TypeError(`Resource template "${uriTemplate}" is already registered`);
    templates.set(uriTemplate, buildTemplate(uriTemplate, config, handler));
    return { remove: () => templates.delete(uriTemplate) };
  }

  prompt(name: string, config: PromptConfig, handler: PromptHandler): Registration {
    const { prompts } = this.#runtime;
    if (prompts.has(name)) throw new TypeError(`Prompt "${name}" is already registered`);
    prompts.set(name, buildPrompt(name, config, handler, this.#runtime.jsonSchemaValidator));
    return { remove: () => prompts.delete(name) };
  }

  /** Adds an onion middleware around every incoming request. */
  use(middleware: ServerMiddleware): this {
    this.#runtime.use(middleware);
    return this;
  }

  /** Serves one transport connection until it closes. */
  connect(transport: Transport): Promise<ServerConnection> {
    return this.#runtime.connect(transport);
  }

  /**
   * Ends listen streams gracefully (a final listen result), lets requests in flight finish for up
   * to `graceMs`, answers those still running with an error, then closes every connection.
   */
  close(graceMs = 2000): Promise<void> {
    return this.#runtime.close(graceMs);
  }

  /** Tells subscribers that a resource changed (legacy subscribe, modern listen). */
  notifyResourceUpdated(uri: string): Promise<void> {
    return this.#runtime.notifyResourceUpdated(uri);
  }

  /** Called when a legacy client reports that its roots changed. */
  onRootsListChanged(listener: (connection: ServerConnection) => void): Registration {
    this.#runtime.rootsListeners.add(listener);
    return { remove: () => this.#runtime.rootsListeners.delete(listener) };
  }
}
