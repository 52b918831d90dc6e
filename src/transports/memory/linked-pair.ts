import type { SendOptions, Transport, TransportSink } from '../../engine/transport.js';

/**
 * Two in-memory transports joined back to back, for tests and in-process use. Delivery is
 * asynchronous, as on a real wire, so ordering bugs show up here too.
 */
class MemoryTransport implements Transport {
  other?: MemoryTransport;
  sink?: TransportSink;
  private closed = false;
  private readonly early: string[] = [];

  async start(sink: TransportSink): Promise<void> {
    this.sink = sink;
    for (const frame of this.early.splice(0)) queueMicrotask(() => sink.onFrame(frame));
  }

  async send(frame: string, _options?: SendOptions): Promise<void> {
    if (this.closed) throw new Error('Transport closed');
    const peer = this.other!;
    if (peer.closed) throw new Error('Peer transport closed');
    if (!peer.sink) peer.early.push(frame);
    else queueMicrotask(() => peer.sink?.onFrame(frame));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sink?.onClose();
    await this.other?.close();
  }
}

export function createLinkedPair(): [Transport, Transport] {
  const a = new MemoryTransport();
  const b = new MemoryTransport();
  a.other = b;
  b.other = a;
  return [a, b];
}
