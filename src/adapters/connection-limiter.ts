import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /** Open connections at once, all clients together. Default 1024. */
  maxConnections?: number;
  /** Open connections at once from one remote address. Default 128. */
  maxConnectionsPerClient?: number;
}

/**
 * Caps open sockets in total and per remote address, so one client cannot hold every connection
 * (for example with bodies it never finishes). A refused socket gets a 503 that names the option
 * to raise, then is closed.
 */
export class ConnectionLimiter {
  private readonly max: number;
  private readonly perClient: number;
  private readonly byAddress = new Map<string, number>();
  private readonly refused = new WeakSet<Socket>();
  private open = 0;

  constructor(limits: ConnectionLimits = {}) {
    this.max = limits.maxConnections ?? 1024;
    this.perClient = limits.maxConnectionsPerClient ?? 128;
  }

  /** Runs before node:http's own listener, so a refused socket never reaches a handler. */
  attach(server: Server): void {
    server.prependListener('connection', (socket: Socket) => this.admit(socket));
  }

  /** A request that arrived on a refused socket before it closed: leave it unanswered. */
  isRefused(socket: Socket): boolean {
    return this.refused.has(socket);
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? '';
    const mine = this.byAddress.get(address) ?? 0;
    const refusal =
      this.open >= this.max
        ? `Too many connections to this server (maxConnections: ${this.max})`
        : mine >= this.perClient
          ? `Too many connections from ${address} (maxConnectionsPerClient: ${this.perClient})`
          : undefined;
    if (refusal) {
      this.refused.add(socket);
      socket.on('error', () => {});
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(refusal)}\r\n\r\n${refusal}`,
      );
      socket.destroySoon();
      return;
    }
    this.open++;
    this.byAddress.set(address, mine + 1);
    socket.once('close', () => {
      this.open--;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left === 0) this.byAddress.delete(address);
      else this.byAddress.set(address, left);
    });
  }
}
