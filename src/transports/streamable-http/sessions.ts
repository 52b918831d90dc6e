import { Quota } from '../../engine/quota.js';
import type { SessionConnection } from '../../server/core.js';
import { Overloaded } from './http-error.js';
import type { SessionTransport } from './http-transports.js';

export interface Session {
  transport: SessionTransport;
  connection: SessionConnection;
  /** The client that opened it, for per-client bounds. */
  client: string;
  /** The authenticated caller that opened it (`principalKey`); only it may use the session. */
  owner?: string;
}

export interface SessionLimits {
  maxSessions: number;
  maxSessionsPerClient: number;
  idleMs: number;
  retryAfterSeconds: number;
}

/**
 * Legacy sessions, least recently used first. Bounded in total and per client; an idle session
 * (nothing in flight, no stream open) expires after `idleMs`, and is evicted early when a new
 * session needs its place, before any client is refused.
 */
export class SessionTable {
  private readonly sessions = new Map<string, Session>();
  private readonly quota: Quota;
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(private readonly limits: SessionLimits) {
    this.quota = new Quota({
      max: limits.maxSessions,
      perClient: limits.maxSessionsPerClient,
      maxOption: 'maxSessions',
      perClientOption: 'maxSessionsPerClient',
    });
    this.sweeper = setInterval(() => this.expire(), Math.min(60_000, Math.max(250, limits.idleMs / 2)));
    this.sweeper.unref?.();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The session, without marking it used (a relayed change, not a request). */
  peek(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** The session, marked as just used. */
  get(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    this.sessions.delete(id);
    this.sessions.set(id, session);
    session.transport.lastActivity = Date.now();
    return session;
  }

  /**
   * Makes room for one more session of `client`: evicts its own least recently used idle session
   * when it is at its cap, or anyone's when the table is full; refuses when none is idle.
   */
  async reserve(client: string): Promise<void> {
    let refusal = this.quota.check(client);
    if (refusal) {
      const victim = this.oldestIdle(refusal.scope === 'client' ? client : undefined);
      if (victim) await this.delete(victim);
      refusal = this.quota.check(client);
    }
    if (refusal) {
      throw new Overloaded(
        refusal,
        refusal.scope === 'client' ? 'Too many sessions for this client' : 'Too many sessions',
        this.limits.retryAfterSeconds,
      );
    }
  }

  add(id: string, session: Session): void {
    const refusal = this.quota.acquire(session.client);
    // reserve() made room just before; only a concurrent initialize can have taken it since.
    if (refusal) throw new Overloaded(refusal, 'Too many sessions', this.limits.retryAfterSeconds);
    this.sessions.set(id, session);
  }

  async delete(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.quota.release(session.client);
    await session.transport.close();
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.allSettled([...this.sessions.keys()].map((id) => this.delete(id)));
  }

  private oldestIdle(client?: string): string | undefined {
    for (const [id, s] of this.sessions)
      if (s.transport.idle && (client === undefined || s.client === client)) return id;
    return undefined;
  }

  private expire(): void {
    const oldest = Date.now() - this.limits.idleMs;
    for (const [id, s] of this.sessions)
      if (s.transport.idle && s.transport.lastActivity < oldest) void this.delete(id);
  }
}
