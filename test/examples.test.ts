// examples/otel-otlp, run as a user would: a real server process and a real client process, each
// exporting OTLP/HTTP to a receiver here. One trace crosses both.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/idp.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = (file: string) => fileURLToPath(new URL(`../examples/otel-otlp/${file}`, import.meta.url));

interface ReceivedSpan {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
}

/** A minimal OTLP/HTTP JSON trace receiver (what a Collector's otlp receiver accepts). */
async function otlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      expect(req.url).toBe('/v1/traces');
      expect(req.headers['content-type']).toMatch(/application\/json/);
      const payload = JSON.parse(body) as { resourceSpans: any[] };
      for (const rs of payload.resourceSpans) {
        const service = rs.resource.attributes.find((a: any) => a.key === 'service.name')?.value.stringValue;
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans)
            spans.push({
              service,
              name: s.name,
              kind: s.kind,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              attributes: Object.fromEntries(
                (s.attributes ?? []).map((a: any) => [a.key, Object.values(a.value)[0]]),
              ),
            });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, spans, server };
}

describe('examples/otel-otlp', () => {
  let serverProcess: ChildProcess | undefined;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>> | undefined;
  afterAll(() => {
    serverProcess?.kill('SIGKILL');
    receiver?.server.close();
  });

  it('one trace from the agent process through the server process into the handler', async () => {
    receiver = await otlpReceiver();
    const port = await freePort();
    const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, PORT: String(port) };
    const server = spawn(process.execPath, [example('server.mjs')], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    serverProcess = server;
    const url = await new Promise<string>((resolve, reject) => {
      let log = '';
      server.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        log += chunk;
        const match = /weather server on (\S+)/.exec(log);
        if (match) resolve(match[1]!);
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${log}`)));
    });
    const { stdout } = await promisify(execFile)(process.execPath, [example('client.mjs'), url], {
      cwd: root,
      env,
    });
    const traceId = /\(trace ([0-9a-f]{32})\)/.exec(stdout)?.[1];
    expect(stdout).toContain('Sunny in Lisbon');
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;

    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    const find = (service: string, name: string) => {
      const span = spans.find((s) => s.service === service && s.name === name);
      expect(span, `${service}: ${name} in trace ${traceId}`).toBeDefined();
      return span!;
    };
    const turn = find('weather-agent', 'agent turn');
    const call = find('weather-agent', 'tools/call forecast');
    const served = find('weather-server', 'tools/call forecast');
    const work = find('weather-server', 'look up forecast');
    // OTLP span kinds: 3 = CLIENT, 2 = SERVER.
    expect(call.kind).toBe(3);
    expect(served.kind).toBe(2);
    expect(call.parentSpanId).toBe(turn.spanId);
    expect(served.parentSpanId).toBe(call.spanId);
    expect(work.parentSpanId).toBe(served.spanId);
    expect(served.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'forecast',
      'network.transport': 'tcp',
    });
  });
});
