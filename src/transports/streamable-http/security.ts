import type { HeaderSource } from './http-core.js';
import { BadRequest, Forbidden } from './http-error.js';

export interface OriginPolicy {
  /** Origins allowed to call; default: loopback origins only. '*' allows any. */
  allowedOrigins?: string[] | '*';
  /** Host header values allowed; default: loopback names (DNS-rebinding protection). '*' allows any. */
  allowedHosts?: string[] | '*';
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** RFC 9110 Host: uri-host [":" port], where a reg-name has no "@" and only well-formed escapes. */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::\d{0,5})?$/;

function hostname(value: string): string {
  try {
    return new URL(value.includes('://') ? value : `http://${value}`).hostname;
  } catch {
    return '';
  }
}

/** The last Host seen and its name: a client sends the same Host on every request. */
let lastHost = '';
let lastName = '';
function hostnameOfHost(host: string): string {
  if (host !== lastHost) {
    lastName = hostname(host);
    lastHost = host;
  }
  return lastName;
}

/**
 * Origin and Host checks against DNS rebinding (Streamable HTTP "Security"): a present but
 * foreign Origin is 403; so is a Host a local server does not answer to.
 */
export function checkOrigin(request: { headers: HeaderSource }, policy: OriginPolicy): void {
  const origin = request.headers.get('origin');
  if (origin !== null && !admitsOrigin(origin, policy)) {
    throw new Forbidden(`origin ${origin} is not allowed (add it to allowedOrigins)`);
  }
  const host = request.headers.get('host');
  // A Host with userinfo or a broken escape (`localhost@evil.com`, `a%zz`) is no host at all.
  if (host !== null && !HOST.test(host)) throw new BadRequest('Bad Request: the Host header is malformed');
  if (host !== null && policy.allowedHosts !== '*') {
    const name = hostnameOfHost(host);
    const allowed = policy.allowedHosts
      ? policy.allowedHosts.includes(host) || policy.allowedHosts.includes(name)
      : LOOPBACK.has(name);
    if (!allowed) throw new Forbidden(`host ${host} is not allowed (add it to allowedHosts)`);
  }
}

/** Whether pages from `origin` may call: listed, any ('*'), or by default a loopback origin. */
export function admitsOrigin(origin: string, policy: OriginPolicy): boolean {
  if (policy.allowedOrigins === '*') return true;
  if (policy.allowedOrigins) return policy.allowedOrigins.includes(origin);
  return origin !== 'null' && LOOPBACK.has(hostname(origin));
}
