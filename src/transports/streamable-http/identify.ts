import { type Principal, principalKey } from '../../engine/principal.js';
import { settled } from '../../engine/settled.js';
import {
  type AuthVerdict,
  type ClientKey,
  clientOf,
  type HttpAnswer,
  type HttpInput,
  type RequestAuthenticator,
} from './http-core.js';

/** Who sent a request: the key per-client bounds count, and the principal when authenticated. */
export interface Identified {
  client: string;
  principal: Principal | undefined;
}

/**
 * Authenticates a request when the handler has `auth` (a refusal is the whole answer), and names
 * its client: the principal once there is one, else the address or what `clientKey` says. At once
 * when the authenticator answers at once (no auth, a cached token); a promise otherwise.
 */
export function identify(
  request: HttpInput,
  auth: RequestAuthenticator | undefined,
  clientKey: ClientKey | undefined,
): Identified | { refusal: HttpAnswer } | Promise<Identified | { refusal: HttpAnswer }> {
  if (!auth) return anonymous(request, clientKey);
  // Any thenable is waited for: a user's authenticator may answer with a non-native promise, which
  // must never be taken for a verdict.
  const verdict = settled(auth.authenticate(request));
  return verdict instanceof Promise
    ? verdict.then((answered) => identified(answered, request, clientKey))
    : identified(verdict, request, clientKey);
}

function identified(
  verdict: AuthVerdict,
  request: HttpInput,
  clientKey: ClientKey | undefined,
): Identified | { refusal: HttpAnswer } {
  if ('refusal' in verdict) return verdict;
  const { principal } = verdict;
  const client = principal && !clientKey ? clientKeyOf(principal) : clientOf(request, clientKey);
  return { client, principal };
}

/** A request's client when the handler authenticates nobody: its address, or what `clientKey` says. */
function anonymous(request: HttpInput, clientKey: ClientKey | undefined): Identified {
  return { client: clientOf(request, clientKey), principal: undefined };
}

/**
 * A principal's client key, made once per principal object: a cached token yields the same
 * principal on every request, and the same string is hashed once by every map it keys.
 */
const clientKeys = new WeakMap<Principal, string>();
function clientKeyOf(principal: Principal): string {
  let key = clientKeys.get(principal);
  if (key === undefined) {
    key = `principal:${principalKey(principal)}`;
    clientKeys.set(principal, key);
  }
  return key;
}
