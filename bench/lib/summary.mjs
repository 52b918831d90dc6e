// One compact table of the headline figures, for the top of latest.md and for the README.
const HEADLINES = [
  ['stdio', 'p50 ms', 'stdio p50 ms'],
  ['stdio', 'pipelined req/s (64 in flight)', 'stdio req/s'],
  ['http-modern', 'c64 req/s', 'HTTP modern req/s'],
  ['http-modern', 'c64 server CPU µs/req', 'HTTP modern CPU µs/req'],
  ['http-legacy', 'c64 req/s', 'HTTP legacy req/s'],
  ['http-stateless', 'c64 req/s', 'HTTP stateless req/s'],
  ['memory', 'KiB per idle legacy HTTP session', 'KiB/session'],
  ['memory', 'KiB per in-flight request (stdio)', 'KiB/request'],
  ['cold-start', 'ms to first tools/call', 'cold start ms'],
  ['cold-start', 'ms with 10,000 tools', 'cold start, 10k tools ms'],
  ['payloads', 'tools/list, 1,000 tools: ms', '1,000 tools ms'],
  ['payloads', '1 MiB tool result: ms', '1 MiB ms'],
];

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));

export function summaryTable(results) {
  const lines = [
    `| | ${HEADLINES.map(([, , label]) => label).join(' | ')} |`,
    `|---|${HEADLINES.map(() => '---:').join('|')}|`,
  ];
  for (const impl of results.implementations) {
    const cells = HEADLINES.map(([sid, name]) => {
      const figure = results.scenarios.find((s) => s.id === sid)?.figures.find((f) => f.name === name);
      const v = figure?.values[impl.id];
      if (!v) return 'n/a';
      const v2 = figure.values['sdk-v2']?.median;
      if (!v2 || impl.id === 'sdk-v2') return fmt(v.median);
      const speedup = figure.better === 'higher' ? v.median / v2 : v2 / v.median;
      return `${fmt(v.median)} (${speedup.toFixed(2)}×)`;
    });
    lines.push(`| ${impl.label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * The HTTP redesign's targets (issue 9) and observability's (issue 13), each as measured in this run: mcpkit's figure, the one it
 * is held against, the ratio, the bound, and whether it holds.
 */
const TARGETS = [
  ['http-modern', 'c16 req/s', 'raw', '>=', 0.5],
  ['http-modern', 'c64 req/s', 'raw', '>=', 0.5],
  ['http-modern', 'c16 server CPU µs/req', 'raw', '<=', 2],
  ['http-modern', 'c64 server CPU µs/req', 'raw', '<=', 2],
  ['http-modern', 'c64 req/s', 'sdk-v2', '>=', 10],
  ['http-legacy', 'c16 req/s', 'raw', '>=', 0.5],
  ['http-legacy', 'c64 req/s', 'raw', '>=', 0.5],
  ['http-legacy', 'c64 req/s', 'sdk-v1', '>=', 4],
  ['http-stateless', 'c16 req/s', 'raw', '>=', 0.5],
  ['http-stateless', 'c64 req/s', 'raw', '>=', 0.5],
  ['http-stateless', 'c64 req/s', 'sdk-v1', '>=', 4],
  ['cold-start', 'ms to first tools/call', 'raw', '<=', 1.5],
  ['cold-start', 'ms to first tools/call', 'sdk-v1', '<=', 1],
  ['cold-start', 'ms to first tools/call', 'sdk-v2', '<=', 1],
  ['cold-start', 'ms with 10,000 tools', 'sdk-v1', '<=', 1],
  ['cold-start', 'ms with 10,000 tools', 'sdk-v2', '<=', 1],
  ['http-modern', 'heap retained B/req', null, '<=', 512],
  ['http-legacy', 'heap retained B/req', null, '<=', 512],
  ['http-stateless', 'heap retained B/req', null, '<=', 512],
  ['http-modern', 'RSS MiB under load', 'raw', '<=', 1.5],
  ['http-legacy', 'RSS MiB under load', 'raw', '<=', 1.5],
  ['stdio', 'pipelined req/s (64 in flight)', 'raw', '>=', 0.85],
  ['stdio', 'p50 ms', 'raw', '<=', 1.3],
  ['http-auth', 'JWT CPU cost ×', null, '<=', 1.1],
  ['http-otel', 'c64 throughput with metrics ×', null, '>=', 0.9],
  ['http-otel', 'c64 throughput with traces and metrics ×', null, '>=', 0.9],
];

export function targetsTable(results) {
  const lines = [
    '| scenario | figure | mcpkit | against | ratio | target | holds |',
    '|---|---|---:|---:|---:|---|---|',
  ];
  const value = (sid, name, impl) =>
    results.scenarios.find((s) => s.id === sid)?.figures.find((f) => f.name === name)?.values[impl]?.median;
  const label = (id) => results.implementations.find((i) => i.id === id)?.label ?? id;
  for (const [sid, name, against, op, bound] of TARGETS) {
    const mine = value(sid, name, 'mcpkit');
    const theirs = against ? value(sid, name, against) : undefined;
    if (mine === undefined || (against && theirs === undefined)) continue;
    const ratio = against ? mine / theirs : mine;
    const holds = op === '>=' ? ratio >= bound : ratio <= bound;
    lines.push(
      `| ${sid} | ${name} | ${fmt(mine)} | ${against ? `${label(against)} ${fmt(theirs)}` : '–'} | ${against ? `${ratio.toFixed(2)}×` : fmt(ratio)} | ${op} ${against ? `${bound}×` : bound} | ${holds ? 'yes' : '**no**'} |`,
    );
  }
  const raw = value('http-modern', 'c64 req/s', 'raw');
  if (raw !== undefined)
    lines.push(
      `| http-modern | raw baseline c64 req/s | – | – | – | > 30,000 | ${raw > 30_000 ? 'yes' : `**no** (${fmt(raw)})`} |`,
    );
  // Whether the raw figure is the server's limit or the load generator's.
  for (const sid of ['http-modern', 'http-legacy', 'http-stateless']) {
    const server = value(sid, 'c64 server CPU %', 'raw');
    const generator = value(sid, 'c64 load generator CPU %', 'raw');
    if (server !== undefined && generator !== undefined)
      lines.push(
        `| ${sid} | raw c64: server core busy / load generator busy | – | – | – | server saturates first | ${server > generator ? 'yes' : '**no**'} (${server.toFixed(0)}% / ${generator.toFixed(0)}%) |`,
      );
  }
  return lines.join('\n');
}
