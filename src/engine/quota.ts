/** Why a quota refused: the bound that was hit, named by the option that sets it. */
export interface QuotaRefusal {
  /** 'global': every client's share is used up; 'client': this client's own share. */
  scope: 'global' | 'client';
  option: string;
  limit: number;
}

export interface QuotaLimits {
  /** Units held at once, all clients together. */
  max: number;
  /** Units one client may hold at once. */
  perClient: number;
  /** Option names for the two bounds, quoted in refusals. */
  maxOption: string;
  perClientOption: string;
}

/**
 * Counts a shared resource (sessions, streams, requests in flight, tasks) in total and per client,
 * so that one client cannot use up what every client shares. A client with nothing held is
 * forgotten, so the map of clients is bounded by the global limit.
 */
export class Quota {
  private readonly held = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: QuotaLimits) {}

  get size(): number {
    return this.total;
  }

  /** The global bound. */
  get max(): number {
    return this.limits.max;
  }

  heldBy(client: string): number {
    return this.held.get(client) ?? 0;
  }

  /** Takes one unit for `client`, or says which bound refuses it. */
  acquire(client: string): QuotaRefusal | undefined {
    const refusal = this.check(client);
    if (refusal) return refusal;
    this.total++;
    this.held.set(client, this.heldBy(client) + 1);
    return undefined;
  }

  /** What `acquire` would answer, without taking anything. */
  check(client: string): QuotaRefusal | undefined {
    const { max, perClient, maxOption, perClientOption } = this.limits;
    if (this.heldBy(client) >= perClient)
      return { scope: 'client', option: perClientOption, limit: perClient };
    if (this.total >= max) return { scope: 'global', option: maxOption, limit: max };
    return undefined;
  }

  release(client: string): void {
    const mine = this.held.get(client);
    if (mine === undefined) return;
    this.total--;
    if (mine <= 1) this.held.delete(client);
    else this.held.set(client, mine - 1);
  }
}
