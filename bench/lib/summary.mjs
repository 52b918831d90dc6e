// One compact table of the headline figures, for the top of latest.md and for the README.
const HEADLINES = [
  ['stdio', 'p50 ms', 'stdio p50 ms'],
  ['stdio', 'pipelined req/s (64 in flight)', 'stdio req/s'],
  ['http-modern', 'c64 req/s', 'HTTP modern req/s'],
  ['http-legacy', 'c64 req/s', 'HTTP legacy req/s'],
  ['memory', 'KiB per idle legacy HTTP session', 'KiB/session'],
  ['memory', 'KiB per in-flight request (stdio)', 'KiB/request'],
  ['cold-start', 'ms to first tools/call', 'cold start ms'],
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
