// HTTP load generator, run in its own process (pinned by the runner to its own core): a closed
// loop over `concurrency` keep-alive sockets, each sending one tools/call echo and waiting for its
// answer before the next, for `durationMs`. It writes raw HTTP/1.1 and reads just enough of the
// answer (status, Content-Length or chunked framing) to stay far below the server's cost per
// request, so that the server, not this process, is what saturates. Prints one JSON line.
import { connect } from 'node:net';

const [url, era, concurrency, durationMs] = [
  process.argv[2],
  process.argv[3],
  Number(process.argv[4]),
  Number(process.argv[5]),
];
const target = new URL(url);

/** One-off setup requests (legacy initialize) go through fetch: their cost is not measured. */
async function setup(body, headers) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify(body),
  });
  await response.text();
  if (response.status >= 400) throw new Error(`setup: HTTP ${response.status}`);
  return response.headers;
}

let headers;
if (era === 'legacy') {
  const version = { 'mcp-protocol-version': '2025-11-25' };
  const init = await setup(
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
    version,
  );
  headers = { 'mcp-session-id': init.get('mcp-session-id'), ...version };
  await setup({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
} else if (era === 'stateless') {
  // Legacy stateless mode: no initialize and no session; the version header says the revision.
  headers = { 'mcp-protocol-version': '2025-11-25' };
} else {
  headers = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
  // The same modern call with a bearer JWT the server signed for the run (bench server's /__token).
  if (era === 'modern-auth') {
    const token = await (await fetch(`${target.origin}/__token`)).text();
    headers.authorization = `Bearer ${token}`;
  }
}
const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'loadgen', version: '1' },
};
const params = JSON.stringify({
  name: 'echo',
  arguments: { text: 'hello' },
  ...(era === 'modern' || era === 'modern-auth' ? { _meta: META } : {}),
});
const head =
  `POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\n` +
  `accept: application/json, text/event-stream\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}`;
let nextId = 1;
/** Every request of the run gets its own id: a legacy session refuses one still in flight. */
function requestBytes() {
  const body = `{"jsonrpc":"2.0","id":${nextId++},"method":"tools/call","params":${params}}`;
  return `${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/**
 * Reads one HTTP/1.1 answer at a time from a socket's bytes: returns the parsed answer and how many
 * bytes it took, or undefined while incomplete.
 */
function parseAnswer(buf) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const headText = buf.toString('latin1', 0, end);
  const status = Number(headText.slice(9, 12));
  const length = /\r\ncontent-length: *(\d+)/i.exec(headText);
  if (length) {
    const total = end + 4 + Number(length[1]);
    return buf.length < total ? undefined : { status, body: buf.subarray(end + 4, total), size: total };
  }
  if (/\r\ntransfer-encoding: *chunked/i.test(headText)) {
    const last = buf.indexOf('\r\n0\r\n\r\n', end);
    if (last < 0) return undefined;
    return { status, body: buf.subarray(end + 4, last), size: last + 7 };
  }
  return { status, body: buf.subarray(0, 0), size: end + 4 };
}

const latencies = [];
let errors = 0;
let firstError;
const deadline = performance.now() + durationMs;

function worker() {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port) });
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    let started = 0;
    const next = () => {
      if (performance.now() >= deadline) {
        socket.end();
        return resolve();
      }
      started = performance.now();
      socket.write(requestBytes());
    };
    socket.on('connect', next);
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const answer = parseAnswer(pending);
      if (!answer) return;
      pending = pending.subarray(answer.size);
      if (answer.status >= 400 || answer.body.indexOf('hello') < 0) {
        errors++;
        firstError ??= `HTTP ${answer.status} ${answer.body.toString('utf8', 0, 300)}`;
      } else latencies.push(performance.now() - started);
      next();
    });
  });
}

const t0 = performance.now();
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
latencies.sort((a, b) => a - b);
const pick = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
process.stdout.write(
  `${JSON.stringify({
    requests: latencies.length,
    rps: latencies.length / elapsed,
    /** This process's own CPU use over the run, in % of one core: under 100 means it kept up. */
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
    elapsedMs: elapsed * 1000,
    p50: pick(50),
    p99: pick(99),
    errors,
    ...(firstError ? { firstError } : {}),
  })}\n`,
);
