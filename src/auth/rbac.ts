import type { Principal } from '../engine/principal.js';
import { ErrorCode, McpError } from '../protocol/errors.js';
import type { RequestContext } from '../server/request-context.js';
import { type GlobMatcher, globMatcher } from './glob.js';

/**
 * A role: what it allows, and the roles it takes everything from. Permissions are
 * `tools:<name>`, `resources:<uri>`, `prompts:<name>` or `methods:<method>`, each with `*` matching
 * any run of characters (`tools:read_*`, `resources:docs://*`); `*` alone allows everything.
 */
export interface RoleDefinition {
  allow?: string[];
  inherits?: string[];
}

export interface RbacOptions {
  roles: Record<string, RoleDefinition>;
  /** Roles granted by scopes: `{ 'mcp:write': ['writer'] }`. */
  scopeRoles?: Record<string, string[]>;
  /** Roles read from the principal's claims (a token's `roles` or `groups` claim, say). */
  claimRoles?: (claims: Readonly<Record<string, unknown>>) => string[];
  /** Roles of a caller nobody authenticated (stdio, or HTTP without `auth`). Default: none. */
  anonymousRoles?: string[];
}

/** Protocol plumbing every caller may use; lists are filtered instead of refused. */
const ALWAYS = new Set([
  'initialize',
  'ping',
  'server/discover',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'prompts/list',
  'subscriptions/listen',
  'logging/setLevel',
  'tasks/get',
  'tasks/update',
  'tasks/cancel',
  'tasks/list',
  'tasks/result',
  'resources/unsubscribe',
]);

/**
 * Role-based access control as a server middleware: `server.use(rbac.middleware())`. Roles
 * inherit (a cycle or an unknown role is refused at construction); a principal's roles are its
 * own, those its scopes and claims map to. Lists show only what the caller may use; a call on
 * anything else is refused with -32003 naming the permission it lacks.
 */
export class Rbac {
  /** Every role's permissions, inherited ones included, compiled once. */
  private readonly grants = new Map<string, GlobMatcher[]>();

  constructor(private readonly options: RbacOptions) {
    for (const name of Object.keys(options.roles)) this.grants.set(name, this.resolve(name, []));
    for (const roles of Object.values(options.scopeRoles ?? {})) for (const r of roles) this.check(r);
    for (const r of options.anonymousRoles ?? []) this.check(r);
  }

  private check(role: string): void {
    if (!this.grants.has(role)) throw new TypeError(`Rbac: unknown role "${role}"`);
  }

  private resolve(name: string, path: string[]): GlobMatcher[] {
    if (path.includes(name))
      throw new TypeError(`Rbac: role inheritance cycle ${[...path, name].join(' -> ')}`);
    const role = this.options.roles[name];
    if (!role)
      throw new TypeError(
        `Rbac: unknown role "${name}"${path.length ? ` (inherited by ${path.at(-1)})` : ''}`,
      );
    const own = (role.allow ?? []).map((pattern) => globMatcher(pattern));
    return [...own, ...(role.inherits ?? []).flatMap((parent) => this.resolve(parent, [...path, name]))];
  }

  /** The roles a principal holds: its own, by scope and by claim. Unknown role names grant nothing. */
  rolesOf(principal: Principal | undefined): string[] {
    if (!principal) return this.options.anonymousRoles ?? [];
    const roles = new Set(principal.roles);
    for (const scope of principal.scopes)
      for (const r of this.options.scopeRoles?.[scope] ?? []) roles.add(r);
    if (principal.claims && this.options.claimRoles)
      for (const r of this.options.claimRoles(principal.claims)) roles.add(r);
    return [...roles];
  }

  /** Whether a principal may use `permission` (`tools:search`...). */
  allows(principal: Principal | undefined, permission: string): boolean {
    return this.rolesOf(principal).some((role) =>
      this.grants.get(role)?.some((allows) => allows(permission)),
    );
  }

  /** The scopes that would grant `permission`, for a step-up hint. */
  private scopesFor(permission: string): string[] {
    return Object.entries(this.options.scopeRoles ?? {})
      .filter(([, roles]) => roles.some((r) => this.grants.get(r)?.some((allows) => allows(permission))))
      .map(([scope]) => scope);
  }

  private refuse(permission: string): McpError {
    const scopes = this.scopesFor(permission);
    return new McpError(ErrorCode.Forbidden, `Forbidden: the caller's roles do not allow ${permission}`, {
      permission,
      ...(scopes.length ? { requiredScopes: scopes } : {}),
    });
  }

  middleware() {
    return async (ctx: RequestContext, next: () => Promise<Record<string, unknown>>) => {
      const permission = permissionOf(ctx.method, ctx.params);
      if (permission && !this.allows(ctx.auth, permission)) throw this.refuse(permission);
      const result = await next();
      const list = LISTS[ctx.method];
      if (list && Array.isArray(result[list.key])) {
        const items = result[list.key] as Record<string, unknown>[];
        return {
          ...result,
          [list.key]: items.filter((item) => this.allows(ctx.auth, `${list.kind}:${String(item[list.id])}`)),
        };
      }
      return result;
    };
  }
}

const LISTS: Record<string, { key: string; kind: string; id: string }> = {
  'tools/list': { key: 'tools', kind: 'tools', id: 'name' },
  'prompts/list': { key: 'prompts', kind: 'prompts', id: 'name' },
  'resources/list': { key: 'resources', kind: 'resources', id: 'uri' },
  'resources/templates/list': { key: 'resourceTemplates', kind: 'resources', id: 'uriTemplate' },
};

/** What a request needs, or undefined for what everyone may do (lists are filtered instead). */
function permissionOf(method: string, params: Readonly<Record<string, any>>): string | undefined {
  switch (method) {
    case 'tools/call':
      return `tools:${String(params.name)}`;
    case 'resources/read':
    case 'resources/subscribe':
      return `resources:${String(params.uri)}`;
    case 'prompts/get':
      return `prompts:${String(params.name)}`;
    case 'completion/complete': {
      const ref = params.ref as { type?: string; name?: string; uri?: string } | undefined;
      return ref?.type === 'ref/prompt' ? `prompts:${String(ref.name)}` : `resources:${String(ref?.uri)}`;
    }
    default:
      return ALWAYS.has(method) || method.startsWith('notifications/') ? undefined : `methods:${method}`;
  }
}
