// A dependency-free SVG chart: one panel per figure, one bar per implementation.
const COLORS = { mcpkit: '#2563eb', 'sdk-v1': '#9ca3af', 'sdk-v2': '#f59e0b', raw: '#10b981' };

export function barChart(panels, implementations) {
  const panelWidth = 300;
  const barHeight = 18;
  const panelHeight = 40 + implementations.length * (barHeight + 6);
  const columns = 3;
  const rows = Math.ceil(panels.length / columns);
  const width = columns * panelWidth + 20;
  const height = rows * panelHeight + 60;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  implementations.forEach((impl, i) => {
    out.push(`<rect x="${10 + i * 170}" y="10" width="12" height="12" fill="${COLORS[impl.id] ?? '#666'}"/>`);
    out.push(`<text x="${26 + i * 170}" y="20">${xmlEscape(impl.label)}</text>`);
  });
  panels.forEach((panel, p) => {
    const x0 = 10 + (p % columns) * panelWidth;
    const y0 = 40 + Math.floor(p / columns) * panelHeight;
    out.push(`<text x="${x0}" y="${y0 + 12}" font-weight="bold">${xmlEscape(panel.title)}</text>`);
    const max = Math.max(...panel.values.map((v) => v.value ?? 0), 1e-9);
    panel.values.forEach((v, i) => {
      const y = y0 + 22 + i * (barHeight + 6);
      if (v.value === undefined) {
        out.push(`<text x="${x0}" y="${y + 13}" fill="#999">${xmlEscape(v.id)}: not supported</text>`);
        return;
      }
      const w = Math.max(1, (v.value / max) * (panelWidth - 90));
      out.push(
        `<rect x="${x0}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${COLORS[v.id] ?? '#666'}"/>`,
      );
      out.push(`<text x="${x0 + w + 4}" y="${y + 13}">${xmlEscape(format(v.value))}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

function format(n) {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3);
}

function xmlEscape(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
