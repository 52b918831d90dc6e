import { base64url } from '../engine/base64url.js';
import type { Principal } from '../engine/principal.js';
import { constantTimeEqual } from './constant-time.js';
import { AuthFailure, type AuthProvider } from './provider.js';

/** What is kept of a key: never the key itself, only its HMAC under the server's pepper. */
export interface ApiKeyRecord {
  /** The public part of the key, for lookup: `mk_<id>_<secret>`. */
  id: string;
  /** HMAC-SHA-256 of the secret part, base64url. */
  hash: string;
  subject: string;
  roles: string[];
  scopes: string[];
  /** Epoch seconds; absent: no expiry. */
  expiresAt?: number;
  revoked?: boolean;
}

/** Where key records live; in memory by default. */
export interface ApiKeyStore {
  get(id: string): Promise<ApiKeyRecord | undefined>;
  put(record: ApiKeyRecord): Promise<void>;
}

export interface ApiKeysOptions {
  /**
   * The HMAC key the stored hashes are made with (at least 32 bytes). Keep it out of the key
   * store: a leaked store is then useless. Default: random per process, so keys do not outlive it.
   */
  pepper?: Uint8Array;
  store?: ApiKeyStore;
  /** Keys the in-memory store keeps. Default 10,000. */
  maxKeys?: number;
}

export interface NewApiKey {
  subject: string;
  roles?: string[];
  scopes?: string[];
  /** Epoch seconds. */
  expiresAt?: number;
}

const PREFIX = 'mk_';
const KEY_SHAPE = /^mk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const encoder = new TextEncoder();

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

class MemoryKeyStore implements ApiKeyStore {
  private readonly records = new Map<string, ApiKeyRecord>();
  constructor(private readonly maxKeys: number) {}
  async get(id: string) {
    return this.records.get(id);
  }
  async put(record: ApiKeyRecord) {
    if (!this.records.has(record.id) && this.records.size >= this.maxKeys)
      throw new Error(`Too many API keys (maxKeys: ${this.maxKeys}); revoke some or raise maxKeys`);
    this.records.set(record.id, record);
  }
}

/**
 * API keys: `mk_<16 hex id>_<43 base64url secret>`. Only an HMAC of the secret is stored, looked up
 * by id and compared in constant time; each key carries its subject, roles, scopes and expiry, and
 * can be revoked. `provider` authenticates requests that present one (Bearer or X-API-Key).
 */
export class ApiKeys {
  private readonly store: ApiKeyStore;
  private readonly hmac: Promise<CryptoKey>;

  constructor(options: ApiKeysOptions = {}) {
    const pepper = options.pepper ?? crypto.getRandomValues(new Uint8Array(32));
    if (pepper.length < 32) throw new TypeError('ApiKeys: the pepper must be at least 32 bytes');
    this.store = options.store ?? new MemoryKeyStore(options.maxKeys ?? 10_000);
    this.hmac = crypto.subtle.importKey(
      'raw',
      pepper as BufferSource,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
  }

  private async hash(secret: string): Promise<string> {
    return base64url(
      new Uint8Array(await crypto.subtle.sign('HMAC', await this.hmac, encoder.encode(secret))),
    );
  }

  /** Makes a key. The returned `key` is shown once; only its record is kept. */
  async create(spec: NewApiKey): Promise<{ key: string; record: ApiKeyRecord }> {
    const id = hex(crypto.getRandomValues(new Uint8Array(8)));
    const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const record: ApiKeyRecord = {
      id,
      hash: await this.hash(secret),
      subject: spec.subject,
      roles: spec.roles ?? [],
      scopes: spec.scopes ?? [],
      ...(spec.expiresAt !== undefined ? { expiresAt: spec.expiresAt } : {}),
    };
    await this.store.put(record);
    return { key: `${PREFIX}${id}_${secret}`, record };
  }

  /** Revokes a key by id (the key itself, or its `mk_<id>` part, also work). */
  async revoke(keyOrId: string): Promise<boolean> {
    const id = KEY_SHAPE.exec(keyOrId)?.[1] ?? keyOrId.replace(/^mk_/, '');
    const record = await this.store.get(id);
    if (!record) return false;
    await this.store.put({ ...record, revoked: true });
    return true;
  }

  readonly provider: AuthProvider = {
    authenticate: async (credential) => {
      if (!credential.startsWith(PREFIX)) return undefined;
      const shape = KEY_SHAPE.exec(credential);
      if (!shape) throw new AuthFailure('invalid_token', 'malformed API key');
      const [, id, secret] = shape as unknown as [string, string, string];
      const record = await this.store.get(id);
      // The secret is hashed even for an unknown id, so that timing does not tell ids apart.
      const presented = encoder.encode(await this.hash(secret));
      if (!record || !constantTimeEqual(presented, encoder.encode(record.hash)))
        throw new AuthFailure('invalid_token', 'unknown API key');
      if (record.revoked) throw new AuthFailure('invalid_token', 'the API key was revoked');
      if (record.expiresAt !== undefined && record.expiresAt * 1000 <= Date.now())
        throw new AuthFailure('invalid_token', 'the API key expired');
      const principal: Principal = {
        subject: record.subject,
        scopes: record.scopes,
        roles: record.roles,
        method: 'api-key',
        claims: { keyId: record.id },
        ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
      };
      return principal;
    },
  };
}
