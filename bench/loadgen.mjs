// HTTP load generator, run in its own process: a closed loop of `concurrency` workers calling
// tools/call echo for `durationMs`, over keep-alive connections. Prints one JSON line.
import { Agent, request } from 'node:http';

const [url, era, concurrency, durationMs] = [
  process.argv[2],
  process.argv[3],
  Number(process.argv[4]),
  Number(process.argv[5]),
];
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(url);

function post(body, headers) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (c) => (data += c));
        res.on('end', () =>
          res.statusCode >= 400
            ? reject(new Error(`HTTP ${res.statusCode} ${data}`))
            : resolve({ headers: res.headers, data }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'loadgen', version: '1' },
};
let headers = {};
if (era === 'legacy') {
  const init = await post(
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'loadgen', version: '1' },
      },
    },
    { 'mcp-protocol-version': '2025-11-25' },
  );
  headers = { 'mcp-session-id': init.headers['mcp-session-id'], 'mcp-protocol-version': '2025-11-25' };
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
} else {
  headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
}

let id = 1;
const latencies = [];
let errors = 0;
const deadline = performance.now() + durationMs;
async function worker() {
  while (performance.now() < deadline) {
    const params = {
      name: 'echo',
      arguments: { text: 'hello' },
      ...(era === 'modern' ? { _meta: META } : {}),
    };
    const started = performance.now();
    try {
      const { data } = await post({ jsonrpc: '2.0', id: id++, method: 'tools/call', params }, headers);
      if (!data.includes('hello')) errors++;
      latencies.push(performance.now() - started);
    } catch {
      errors++;
    }
  }
}
const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const pick = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
process.stdout.write(
  `${JSON.stringify({ rps: latencies.length / elapsed, p50: pick(50), p99: pick(99), errors })}\n`,
);
agent.destroy();
