import type { Attributes } from '@opentelemetry/api';

/**
 * The Prometheus text exposition format (version 0.0.4): names, label sets and values as a scraper
 * parses them.
 */

/** Longest label value kept; longer ones are cut, so one attribute cannot make a series huge. */
export const MAX_LABEL_VALUE_LENGTH = 1024;

/** An OpenTelemetry name (`mcp.server.operation.duration`) as a Prometheus one (`mcp_server_operation_duration`). */
export function metricName(name: string): string {
  const out = name.replace(/[^a-zA-Z0-9_]+/g, '_').replace(/_{2,}/g, '_');
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

function labelName(name: string): string {
  const out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

function labelValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const cut = text.length > MAX_LABEL_VALUE_LENGTH ? text.slice(0, MAX_LABEL_VALUE_LENGTH) : text;
  return cut.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** `a="x",b="y"`: sorted by name, so one label set always renders the same. */
export function renderLabels(attributes: Attributes): string {
  const parts: string[] = [];
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name];
    if (value === undefined || value === null) continue;
    parts.push(`${labelName(name)}="${labelValue(value)}"`);
  }
  return parts.join(',');
}

/** A description as a `# HELP` line's text. */
export function helpText(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

export function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** One sample line; `extra` is a label added to the series' own (a histogram bucket's `le`). */
export function sample(name: string, labels: string, value: number, extra?: string): string {
  const all = extra === undefined ? labels : labels === '' ? extra : `${labels},${extra}`;
  return all === '' ? `${name} ${formatValue(value)}\n` : `${name}{${all}} ${formatValue(value)}\n`;
}
