import type { Readable, Writable } from 'node:stream';
import type { NetworkInfo } from '../../engine/telemetry.js';
import type { SendOptions, Transport, TransportSink } from '../../engine/transport.js';
import { DEFAULT_DECODE_LIMITS } from '../../protocol/jsonrpc.js';
import { LineSplitter } from './lines.js';

export interface StdioServerOptions {
  input?: Readable;
  output?: Writable;
  /**
   * Longest line kept in memory; a longer line is cut one past it, so the peer's size check refuses
   * it. Default: the message limit (`maxMessageLength`, 10 Mi characters) plus one.
   */
  maxLineLength?: number;
  /**
   * Close the transport as soon as input ends (default). `serveStdio` turns this off to let
   * requests in flight finish their answers first.
   */
  closeOnInputEnd?: boolean;
}

/**
 * Newline-delimited JSON-RPC over the process's stdin/stdout (2026-07-28 transports/stdio).
 * Nothing but MCP messages is written to stdout; logs belong on stderr.
 */
export class StdioServerTransport implements Transport {
  readonly network: NetworkInfo = { transport: 'pipe' };
  private readonly input: Readable;
  private readonly output: Writable;
  private readonly lines: LineSplitter;
  private sink?: TransportSink;
  private closed = false;
  private queue: string[] = [];
  private flushed?: Promise<void>;

  constructor(private readonly options: StdioServerOptions = {}) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    this.lines = new LineSplitter(
      options.maxLineLength ?? DEFAULT_DECODE_LIMITS.maxMessageLength + 1,
      (line) => this.sink?.onFrame(line),
    );
  }

  async start(sink: TransportSink): Promise<void> {
    this.sink = sink;
    this.input.setEncoding('utf8');
    this.input.on('data', this.onData);
    this.input.once('end', this.onEnd);
    this.input.once('error', this.onError);
    this.output.once('error', this.onError);
  }

  private readonly onData = (chunk: string) => this.lines.push(chunk);
  private readonly onEnd = () => {
    if (this.options.closeOnInputEnd !== false) void this.finish();
  };
  private readonly onError = (error: Error) => void this.finish(error);

  /**
   * Frames sent in one turn of the event loop go out in one write: one write per message was the
   * largest cost of a busy stdio server.
   */
  send(frame: string, _options?: SendOptions): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.queue.push(frame);
    this.flushed ??= new Promise<void>((resolve) => setImmediate(() => this.flush(resolve)));
    return this.flushed;
  }

  /**
   * Writes the queue. When the reader falls behind (the write buffer is over its high-water mark),
   * reading requests stops until it drains: otherwise answers would pile up without limit. Frames
   * sent meanwhile wait in the queue and go out with the next write; `done` fires once all of them
   * have been handed over.
   */
  private flush(done: () => void): void {
    if (this.queue.length === 0) {
      this.flushed = undefined;
      done();
      return;
    }
    const data = `${this.queue.join('\n')}\n`;
    this.queue = [];
    if (this.output.write(data)) {
      this.flushed = undefined;
      done();
      return;
    }
    this.input.pause();
    const resume = () => {
      this.output.off('drain', resume);
      this.output.off('close', gone);
      if (!this.closed) this.input.resume();
      this.flush(done);
    };
    const gone = () => {
      this.output.off('drain', resume);
      this.queue = [];
      this.flushed = undefined;
      done();
    };
    this.output.once('drain', resume);
    this.output.once('close', gone);
  }

  close(): Promise<void> {
    return this.finish();
  }

  private async finish(error?: Error): Promise<void> {
    if (this.closed) return;
    // Frames already queued (answers to requests that finished) still go out.
    if (this.flushed && !error) await this.flushed;
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.pause();
    this.sink?.onClose(error);
  }
}
