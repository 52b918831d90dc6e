import { ErrorCode, McpError } from '../protocol/errors.js';
import type {
  Annotations,
  Icon,
  Resource,
  ResourceContents,
  ResourceTemplate,
} from '../protocol/schemas/index.js';
import { type TemplateVariables, UriTemplate } from '../protocol/uri-template.js';
import type { Completer } from './completion.js';
import type { RequestContext } from './request-context.js';

export interface CacheHint {
  ttlMs: number;
  scope: 'public' | 'private';
}

interface ResourceMetadata {
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  annotations?: Annotations;
  icons?: Icon[];
  _meta?: Record<string, unknown>;
  /** 2026-07-28 cache hint for reads of this resource. */
  cache?: CacheHint;
}

export interface ResourceConfig extends ResourceMetadata {
  size?: number;
}

export interface ResourceTemplateConfig extends ResourceMetadata {
  /** Completers for template variables (`completion/complete` with `ref/resource`). */
  complete?: Record<string, Completer>;
  /** Lists concrete resources of this template in `resources/list`. */
  list?: (ctx: RequestContext) => Resource[] | Promise<Resource[]>;
  /**
   * Let variables of simple expansions (`{name}`, `{/name}`, `{?name}`...) receive values that
   * decode to `/`, `\`, `.`, `..` or control characters (`%2F`, `%2e%2e`, `%00`). Default false:
   * such reads are refused with -32602, so a handler that maps a variable to a file cannot be
   * walked out of its folder. Reserved expansions (`{+path}`) are never checked.
   */
  allowUnsafeValues?: boolean;
}

/** A read returns text, one contents item, or several. */
export type ReadReturn = string | ResourceContents | ResourceContents[] | { contents: ResourceContents[] };

export type ResourceHandler = (uri: string, ctx: RequestContext) => ReadReturn | Promise<ReadReturn>;
export type TemplateHandler = (
  uri: string,
  variables: TemplateVariables,
  ctx: RequestContext,
) => ReadReturn | Promise<ReadReturn>;

export interface RegisteredResource {
  definition: Resource;
  cache?: CacheHint;
  handler: ResourceHandler;
}

export interface RegisteredTemplate {
  definition: ResourceTemplate;
  template: UriTemplate;
  cache?: CacheHint;
  complete?: Record<string, Completer>;
  list?: ResourceTemplateConfig['list'];
  allowUnsafeValues: boolean;
  handler: TemplateHandler;
}

/** The wire definition: the config less what only the server uses. */
function describe<T extends object>(base: T, config: ResourceConfig | ResourceTemplateConfig): T {
  const {
    cache: _cache,
    complete: _complete,
    list: _list,
    allowUnsafeValues: _allow,
    ...wire
  } = config as ResourceTemplateConfig;
  return { ...base, ...wire };
}

export function buildResource(
  uri: string,
  config: ResourceConfig,
  handler: ResourceHandler,
): RegisteredResource {
  return {
    definition: describe({ uri }, config) as Resource,
    handler,
    ...(config.cache ? { cache: config.cache } : {}),
  };
}

export function buildTemplate(
  uriTemplate: string,
  config: ResourceTemplateConfig,
  handler: TemplateHandler,
): RegisteredTemplate {
  return {
    definition: describe({ uriTemplate }, config) as ResourceTemplate,
    template: new UriTemplate(uriTemplate),
    allowUnsafeValues: config.allowUnsafeValues === true,
    handler,
    ...(config.cache ? { cache: config.cache } : {}),
    ...(config.complete ? { complete: config.complete } : {}),
    ...(config.list ? { list: config.list } : {}),
  };
}

export function toContents(
  uri: string,
  mimeType: string | undefined,
  returned: ReadReturn,
): ResourceContents[] {
  if (typeof returned === 'string') return [{ uri, ...(mimeType ? { mimeType } : {}), text: returned }];
  if (Array.isArray(returned)) return returned;
  if ('contents' in returned && Array.isArray(returned.contents)) return returned.contents;
  return [returned as ResourceContents];
}

export function resourceNotFound(uri: string): McpError {
  // Mapped to -32602 on modern requests by the result shaper (2026-07-28 changelog).
  return new McpError(ErrorCode.ResourceNotFound, `Resource not found: ${uri}`, { uri });
}
