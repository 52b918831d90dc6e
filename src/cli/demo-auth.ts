import { ApiKeys, type BearerAuth, bearerAuth, Rbac } from '../auth/index.js';
import type { McpServer } from '../server/index.js';

/**
 * `mcpkit demo --auth`: two API keys made at start, an admin one (every tool) and a reader one
 * (read-only tools), with RBAC filtering what the reader sees.
 */
export async function protectDemo(
  demo: McpServer,
  resource: string,
): Promise<{ auth: BearerAuth; adminKey: string; readerKey: string }> {
  const keys = new ApiKeys();
  const adminKey = (await keys.create({ subject: 'demo-admin', roles: ['admin'] })).key;
  const readerKey = (await keys.create({ subject: 'demo-reader', roles: ['reader'] })).key;
  const rbac = new Rbac({
    roles: {
      reader: { allow: ['tools:echo', 'tools:add', 'tools:list_roots', 'resources:*', 'prompts:*'] },
      admin: { inherits: ['reader'], allow: ['*'] },
    },
  });
  demo.use(rbac.middleware());
  return {
    auth: bearerAuth({ resource, provider: keys.provider, resourceName: 'mcpkit demo' }),
    adminKey,
    readerKey,
  };
}
