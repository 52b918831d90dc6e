import type { Principal } from '../engine/principal.js';
import { constantTimeEqual } from './constant-time.js';
import type { AuthProvider } from './provider.js';

export interface StaticToken {
  token: string;
  subject: string;
  scopes?: string[];
  roles?: string[];
}

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/**
 * Fixed bearer tokens, for development and tests: each maps to a principal. Compared as SHA-256
 * digests in constant time. Production servers use OAuth access tokens or API keys.
 */
export function staticTokens(tokens: StaticToken[]): AuthProvider {
  const known = Promise.all(tokens.map(async (t) => ({ ...t, digest: await digest(t.token) })));
  return {
    async authenticate(credential) {
      const presented = await digest(credential);
      let match: Principal | undefined;
      // Every entry is compared: which one matched is not told by the time taken.
      for (const t of await known) {
        if (constantTimeEqual(presented, t.digest))
          match = { subject: t.subject, scopes: t.scopes ?? [], roles: t.roles ?? [], method: 'bearer' };
      }
      return match;
    },
  };
}
