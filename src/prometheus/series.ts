import type { Attributes } from '@opentelemetry/api';
import { renderLabels } from './exposition.js';

/** The series that takes every attribute set past the cap (the OpenTelemetry SDK's name for it). */
export const OVERFLOW_LABELS = 'otel_metric_overflow="true"';

/** The labels a new label set is kept under: its own while `series` has room, else the overflow's. */
export function withinCap(series: Map<string, unknown>, labels: string, maxSeries: number): string {
  return series.has(labels) || series.size < maxSeries ? labels : OVERFLOW_LABELS;
}

/** One step of the lookup: attribute name, then value, then the next attribute. */
class Step<S> {
  state: S | undefined = undefined;
  readonly next = new Map<string, Map<string, Step<S>>>();
}

/**
 * One instrument's series, found by attributes on every record. The lookup walks the attributes as
 * they arrive (name, then value: no string is built, sorted or escaped), and a path not walked
 * before is resolved once to the rendered, sorted label text, so `{a, b}` and `{b, a}` share a
 * series. Past `maxSeries` distinct label sets, new ones count in the overflow series: memory stays
 * bounded whatever values callers put in attributes.
 */
export class SeriesTable<S> {
  private readonly root = new Step<S>();
  /** Steps made so far; past the bound, new paths are resolved on every record instead of kept. */
  private steps = 0;
  /** Rendered labels -> series: what the exposition prints. */
  readonly series = new Map<string, S>();

  constructor(
    private readonly make: () => S,
    private readonly maxSeries: number,
  ) {}

  get(attributes: Attributes | undefined): S {
    let step = this.root;
    if (attributes !== undefined) {
      for (const name in attributes) {
        const value = attributes[name];
        if (value === undefined || value === null) continue;
        // A number and its text render alike, so they may share a path.
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        let values = step.next.get(name);
        let child = values?.get(text);
        if (child === undefined) {
          if (this.steps >= this.maxSeries * 16) return this.resolve(attributes);
          if (values === undefined) {
            values = new Map();
            step.next.set(name, values);
          }
          child = new Step();
          values.set(text, child);
          this.steps++;
        }
        step = child;
      }
    }
    if (step.state === undefined) step.state = this.resolve(attributes);
    return step.state;
  }

  private resolve(attributes: Attributes | undefined): S {
    const rendered = attributes === undefined ? '' : renderLabels(attributes);
    const labels = withinCap(this.series, rendered, this.maxSeries);
    let state = this.series.get(labels);
    if (state === undefined) {
      state = this.make();
      this.series.set(labels, state);
    }
    return state;
  }
}
