/** OAuth 2.0 Protected Resource Metadata (RFC 9728), as MCP servers publish it. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers?: string[];
  scopes_supported?: string[];
  bearer_methods_supported: string[];
  resource_name?: string;
}

export function protectedResourceMetadata(options: {
  resource: string;
  authorizationServers?: string[];
  scopes?: string[];
  resourceName?: string;
}): ProtectedResourceMetadata {
  const url = new URL(options.resource);
  if (url.hash) throw new TypeError('bearerAuth: the resource URL must not have a fragment (RFC 8707)');
  return {
    resource: options.resource,
    ...(options.authorizationServers?.length ? { authorization_servers: options.authorizationServers } : {}),
    ...(options.scopes?.length ? { scopes_supported: options.scopes } : {}),
    bearer_methods_supported: ['header'],
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
  };
}

/** RFC 9728 section 3.1: the well-known path, with the resource's own path appended. */
export function metadataPathOf(resource: URL): string {
  const path = resource.pathname === '/' ? '' : resource.pathname.replace(/\/$/, '');
  return `/.well-known/oauth-protected-resource${path}`;
}
