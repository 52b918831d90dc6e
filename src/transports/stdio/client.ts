import type { ChildProcess } from 'node:child_process';
import type { NetworkInfo } from '../../engine/telemetry.js';
import type { SendOptions, Transport, TransportSink } from '../../engine/transport.js';
import { DEFAULT_DECODE_LIMITS } from '../../protocol/jsonrpc.js';
import { LineSplitter } from './lines.js';

export interface StdioClientOptions {
  command: string;
  args?: string[];
  /** Environment of the server; by default this process's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The server's stderr: shown on ours (default), captured line by line, or dropped. */
  stderr?: 'inherit' | 'pipe' | 'ignore';
  /** Receives stderr text when `stderr` is 'pipe'. */
  onStderr?: (text: string) => void;
  /** How long to wait after closing stdin, and again after SIGTERM, before escalating. */
  closeGraceMs?: number;
  maxLineLength?: number;
  /**
   * Receives stdout lines that cannot be JSON-RPC (they do not start with `{` or `[`): a server that
   * prints logs or a banner to stdout, where only protocol messages belong.
   */
  onStrayLine?: (line: string) => void;
}

/**
 * Spawns an MCP server and speaks newline-delimited JSON-RPC over its stdio. Closing follows
 * 2026-07-28 transports/stdio "Shutdown": end stdin, wait, SIGTERM, wait, SIGKILL.
 */
export class StdioClientTransport implements Transport {
  readonly network: NetworkInfo = { transport: 'pipe' };
  private child?: ChildProcess;
  private sink?: TransportSink;
  private closing = false;
  private exited?: Promise<void>;

  constructor(readonly options: StdioClientOptions) {}

  /** The running server's process id. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(sink: TransportSink): Promise<void> {
    this.sink = sink;
    const { command, args = [], env, cwd, stderr = 'inherit' } = this.options;
    // Loaded here, not at import: a server that only serves stdio never spawns, and node:child_process
    // cost ~6 ms of its cold start.
    const { spawn } = await import('node:child_process');
    const child = spawn(command, args, {
      env: env ?? process.env,
      cwd,
      stdio: ['pipe', 'pipe', stderr],
      windowsHide: true,
      // Its own process group, so that closing reaches what it spawned: `npx some-server` is npm,
      // then a shell, then the server, and a signal to npm alone leaves the server running.
      detached: GROUPS,
    });
    this.child = child;
    this.closing = false;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'ENOENT' ? new Error(`MCP server command not found: ${command}`) : error);
      });
    });
    const lines = new LineSplitter(
      this.options.maxLineLength ?? DEFAULT_DECODE_LIMITS.maxMessageLength + 1,
      (line) => {
        const first = line.trimStart()[0];
        if (first !== '{' && first !== '[') this.options.onStrayLine?.(line);
        this.sink?.onFrame(line);
      },
    );
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => lines.push(chunk));
    if (stderr === 'pipe')
      child.stderr!.setEncoding('utf8').on('data', (text: string) => this.options.onStderr?.(text));
    // A broken pipe shows up as an exit; the write error itself carries nothing more.
    child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.closing) {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          this.sink?.onClose(new Error(`MCP server process ${how}`));
        } else this.sink?.onClose();
        resolve();
      });
    });
  }

  async send(frame: string, _options?: SendOptions): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) throw new Error('MCP server process is not running');
    if (!stdin.write(`${frame}\n`)) await new Promise<void>((resolve) => stdin.once('drain', resolve));
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.closing) return this.exited;
    this.closing = true;
    if (child.exitCode !== null || child.signalCode !== null) return this.exited;
    const grace = this.options.closeGraceMs ?? 2000;
    const exitedWithin = (ms: number) =>
      Promise.race([
        this.exited!.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref()),
      ]);
    child.stdin?.end();
    if (await exitedWithin(grace)) return this.reap(child);
    signal(child, 'SIGTERM');
    if (await exitedWithin(grace)) return this.reap(child);
    signal(child, 'SIGKILL');
    await this.exited;
  }

  /** The server exited; anything it left behind in its group (a wrapper's child) is told to stop too. */
  private reap(child: ChildProcess): void {
    if (GROUPS && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // The group is gone: nothing was left behind.
      }
    }
  }
}

/** POSIX process groups; Windows has none to signal. */
const GROUPS = process.platform !== 'win32';

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (GROUPS && child.pid) {
    try {
      process.kill(-child.pid, name);
      return;
    } catch {
      // No such group any more: fall back to the process itself.
    }
  }
  child.kill(name);
}
