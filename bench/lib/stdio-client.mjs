// A minimal JSON-RPC client over a child's stdio: the same driver for every server, so only the
// servers differ between contenders.
import { spawn } from 'node:child_process';

export class StdioDriver {
  constructor(command, args) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    this.pending = new Map();
    this.nextId = 1;
    let buffer = '';
    this.child.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const message = JSON.parse(line);
        if (message.id === undefined || message.method) continue;
        const settle = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) settle?.reject(new Error(JSON.stringify(message.error)));
        else settle?.resolve(message.result);
      }
    });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  notify(method, params) {
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
  }

  async initialize() {
    const result = await this.request('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'bench', version: '1' },
    });
    this.notify('notifications/initialized');
    return result;
  }

  call(name, args = {}) {
    return this.request('tools/call', { name, arguments: args });
  }

  async close() {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}
