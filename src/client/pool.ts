import type { Transport } from '../engine/transport.js';
import type { Implementation } from '../protocol/schemas/index.js';
import { Client, type ClientOptions } from './client.js';
import { Emitter } from './events.js';
import { hintsOf, isTransient, safeToRepeat, type ToolHints } from './resilience.js';

export interface ClientPoolOptions {
  /** How the next request picks a member. Default `least-in-flight`. */
  balance?: 'round-robin' | 'least-in-flight';
  /** Every member is checked this often (`ping`, which is `server/discover` in the modern era). Default 5 s. */
  healthIntervalMs?: number;
  /** Options of each member's client. */
  client?: ClientOptions;
}

export interface PoolEvents {
  /** A member failed (a transient failure or a failed check) and takes no requests until it recovers. */
  memberDown: [name: string, error: Error];
  /** A member answered a check again and takes requests. */
  memberUp: [name: string];
}

interface Member {
  name: string;
  open: () => Transport;
  client?: Client;
  healthy: boolean;
  inFlight: number;
  connecting?: Promise<void>;
}

/**
 * Several endpoints of one logical MCP server, used as one: each request goes to a healthy
 * member (round-robin or least in flight); a request that is safe to repeat fails over to the
 * next healthy member after a transient failure; members that fail leave the rotation and are
 * checked until they answer again. Tool calls that are not read-only or idempotent are never
 * sent to a second member.
 */
export class ClientPool {
  private readonly members: Member[] = [];
  private readonly emitter = new Emitter<PoolEvents>();
  private readonly hints = new Map<string, ToolHints>();
  private next = 0;
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly info: Implementation,
    private readonly options: ClientPoolOptions = {},
  ) {}

  on<K extends keyof PoolEvents>(event: K, listener: (...args: PoolEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  /** Adds a member: `open` makes a new transport to it (for the first connection and every reconnection). */
  async add(name: string, open: () => Transport): Promise<void> {
    const member: Member = { name, open, healthy: false, inFlight: 0 };
    this.members.push(member);
    await this.revive(member);
    this.timer ??= setInterval(() => void this.check(), this.options.healthIntervalMs ?? 5000);
    this.timer.unref?.();
  }

  /** Takes a member out for good and closes its connection. */
  async remove(name: string): Promise<void> {
    const index = this.members.findIndex((m) => m.name === name);
    const [member] = index >= 0 ? this.members.splice(index, 1) : [];
    await member?.client?.close();
  }

  /** Each member's name, health and requests in flight. */
  status(): { name: string; healthy: boolean; inFlight: number }[] {
    return this.members.map(({ name, healthy, inFlight }) => ({ name, healthy, inFlight }));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.members.map((m) => m.client?.close()));
  }

  /** Any request, on a healthy member, failing over when that is safe. */
  async request(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const repeatable = safeToRepeat(method, this.hints.get(String(params.name ?? '')));
    const tried = new Set<Member>();
    for (;;) {
      const member = this.pick(tried);
      if (!member?.client) throw new Error(`No healthy member in the pool (${this.members.length} members)`);
      tried.add(member);
      member.inFlight++;
      try {
        const result = await member.client.request(method, params);
        if (method === 'tools/list') this.learn(result.tools);
        return result;
      } catch (error) {
        if (!isTransient(error)) throw error;
        this.down(member, error as Error);
        if (!repeatable) throw error;
      } finally {
        member.inFlight--;
      }
    }
  }

  callTool(name: string, args: Record<string, unknown> = {}) {
    return this.request('tools/call', { name, arguments: args });
  }

  async listTools() {
    return (await this.request('tools/list')).tools as Record<string, unknown>[];
  }

  private learn(tools: unknown) {
    if (!Array.isArray(tools)) return;
    for (const tool of tools as { name: string; annotations?: unknown }[])
      this.hints.set(tool.name, hintsOf(tool));
  }

  private pick(tried: Set<Member>): Member | undefined {
    const candidates = this.members.filter((m) => m.healthy && m.client && !tried.has(m));
    if (candidates.length === 0) return undefined;
    if (this.options.balance === 'round-robin') return candidates[this.next++ % candidates.length];
    return candidates.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  }

  private down(member: Member, error: Error) {
    if (!member.healthy) return;
    member.healthy = false;
    this.emitter.emit('memberDown', member.name, error);
  }

  /** Connects (again) and checks a member; it joins the rotation when it answers. */
  private revive(member: Member): Promise<void> {
    member.connecting ??= (async () => {
      try {
        if (!member.client) {
          const client = new Client(this.info, { retry: false, ...this.options.client });
          await client.connect(member.open());
          member.client = client;
        }
        await member.client.ping({ timeoutMs: 2000 });
        if (!member.healthy) {
          member.healthy = true;
          this.emitter.emit('memberUp', member.name);
        }
      } catch (error) {
        this.down(member, error as Error);
        // A connection that failed its check is replaced on the next one.
        await member.client?.close().catch(() => {});
        member.client = undefined;
      } finally {
        member.connecting = undefined;
      }
    })();
    return member.connecting;
  }

  /** The periodic check: every member, healthy or not. */
  private async check(): Promise<void> {
    await Promise.all(this.members.map((m) => this.revive(m)));
  }
}
