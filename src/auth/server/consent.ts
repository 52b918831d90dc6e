import { base64url } from '../../engine/base64url.js';
import type { KnownClient } from './clients.js';
import { cookieOf, escapeHtml, page } from './http.js';
import type { Sealer } from './sealed.js';

const CONSENT_COOKIE = 'mcpkit_consent';
const REMEMBERED = 20;
const REMEMBER_MS = 30 * 24 * 3600_000;

async function shortHash(clientId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(clientId));
  return base64url(new Uint8Array(digest)).slice(0, 22);
}

async function remembered(sealer: Sealer, request: Request): Promise<string[]> {
  return (await sealer.open<string[]>('consent-memory', cookieOf(request, CONSENT_COOKIE))) ?? [];
}

/** Whether this browser already approved this client (a sealed cookie of the last few approvals). */
export async function rememberedConsent(
  sealer: Sealer,
  request: Request,
  clientId: string,
): Promise<boolean> {
  return (await remembered(sealer, request)).includes(await shortHash(clientId));
}

/** The Set-Cookie that adds `clientId` to the approvals this browser remembers. */
export async function rememberConsent(
  sealer: Sealer,
  request: Request,
  clientId: string,
  path: string,
  secure: boolean,
): Promise<string> {
  const hash = await shortHash(clientId);
  const list = [hash, ...(await remembered(sealer, request)).filter((h) => h !== hash)].slice(0, REMEMBERED);
  const value = await sealer.seal('consent-memory', list, REMEMBER_MS);
  return `${CONSENT_COOKIE}=${value}; Path=${path || '/'}; Max-Age=${REMEMBER_MS / 1000}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/**
 * The page that asks the user whether a client they may not know can act for them (the MCP
 * security best practices require it of a proxy before it forwards to the upstream). It names
 * where the answer goes, which is what tells a user an impostor from the real thing.
 */
export function consentPage(
  client: KnownClient,
  request: { r: string; sc: string; res: string },
  sealed: string,
  action: string,
  browserCookie: string,
): Response {
  const name = escapeHtml(client.name ?? client.clientId);
  const how =
    client.origin === 'metadata-document'
      ? `identified by <code>${escapeHtml(client.clientId)}</code>`
      : 'registered itself with this server';
  const body = `<p><strong>${name}</strong> (${how}) wants to use <code>${escapeHtml(request.res)}</code> as you${
    request.sc ? `, with: <code>${escapeHtml(request.sc)}</code>` : ''
  }.</p><p>If you allow it, you will sign in and then return to <code>${escapeHtml(request.r)}</code>.</p>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="request" value="${escapeHtml(sealed)}">
<button name="decision" value="allow">Allow</button><button name="decision" value="deny">Deny</button></form>`;
  return page('Allow access?', body, 200, { 'set-cookie': browserCookie });
}
