import type {
  Attributes,
  Counter,
  Gauge,
  Histogram,
  ObservableCallback,
  ObservableCounter,
  ObservableGauge,
  ObservableResult,
  ObservableUpDownCounter,
  UpDownCounter,
} from '@opentelemetry/api';
import { renderLabels, sample } from './exposition.js';
import { SeriesTable, withinCap } from './series.js';

/** What the exposition needs of every instrument: its family header, then its samples. */
export interface Exposed {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  /** Runs the instrument's callbacks (observables) before `samples` is read. */
  observe?(): Promise<void>;
  samples(): string;
}

/** The OpenTelemetry SDK's default boundaries, for a histogram whose creator advised none. */
const DEFAULT_BOUNDARIES = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

class Cell {
  value = 0;
}

/** An instrument that keeps one number per series. */
abstract class CellInstrument implements Exposed {
  protected readonly table: SeriesTable<Cell>;
  abstract readonly type: 'counter' | 'gauge';

  constructor(
    readonly name: string,
    readonly help: string,
    maxSeries: number,
  ) {
    this.table = new SeriesTable(() => new Cell(), maxSeries);
  }

  samples(): string {
    let out = '';
    for (const [labels, cell] of this.table.series) out += sample(this.name, labels, cell.value);
    return out;
  }
}

/** A counter (monotonic: negative adds are dropped) or an up-down counter, kept as a running sum. */
export class SumInstrument extends CellInstrument implements Counter, UpDownCounter {
  readonly type: 'counter' | 'gauge';

  constructor(
    name: string,
    help: string,
    private readonly monotonic: boolean,
    maxSeries: number,
  ) {
    super(name, help, maxSeries);
    this.type = monotonic ? 'counter' : 'gauge';
  }

  add(value: number, attributes?: Attributes): void {
    if (!Number.isFinite(value) || (this.monotonic && value < 0)) return;
    this.table.get(attributes).value += value;
  }
}

/** A synchronous gauge: the last value recorded per series. */
export class LastValueInstrument extends CellInstrument implements Gauge {
  readonly type = 'gauge';

  record(value: number, attributes?: Attributes): void {
    if (typeof value !== 'number') return;
    this.table.get(attributes).value = value;
  }
}

class Buckets {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(size: number) {
    this.counts = new Float64Array(size);
  }
}

/** A histogram with explicit bucket boundaries (the creator's advice, else the SDK's default). */
export class HistogramInstrument implements Histogram, Exposed {
  private readonly table: SeriesTable<Buckets>;
  private readonly bounds: readonly number[];
  private readonly le: readonly string[];
  readonly type = 'histogram';

  constructor(
    readonly name: string,
    readonly help: string,
    advised: readonly number[] | undefined,
    maxSeries: number,
  ) {
    this.bounds = validBoundaries(advised) ? advised : DEFAULT_BOUNDARIES;
    this.le = [...this.bounds.map((b) => `le="${b}"`), 'le="+Inf"'];
    const size = this.bounds.length + 1;
    this.table = new SeriesTable(() => new Buckets(size), maxSeries);
  }

  /** A negative or non-finite value is dropped, as the OpenTelemetry SDK does. */
  record(value: number, attributes?: Attributes): void {
    if (!(value >= 0) || value === Number.POSITIVE_INFINITY) return;
    const buckets = this.table.get(attributes);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    buckets.counts[i]!++;
    buckets.sum += value;
    buckets.count++;
  }

  samples(): string {
    let out = '';
    for (const [labels, buckets] of this.table.series) {
      let cumulative = 0;
      for (let i = 0; i < buckets.counts.length; i++) {
        cumulative += buckets.counts[i]!;
        out += sample(`${this.name}_bucket`, labels, cumulative, this.le[i]);
      }
      out += sample(`${this.name}_sum`, labels, buckets.sum);
      out += sample(`${this.name}_count`, labels, buckets.count);
    }
    return out;
  }
}

function validBoundaries(bounds: readonly number[] | undefined): bounds is readonly number[] {
  if (!Array.isArray(bounds) || bounds.length === 0) return false;
  return bounds.every((b, i) => Number.isFinite(b) && (i === 0 || b > bounds[i - 1]!));
}

/**
 * An observable counter, up-down counter or gauge: its callbacks run at each scrape and what they
 * observe is the value (a cumulative total for a counter), not something added to.
 */
export class ObservableInstrument
  implements ObservableCounter, ObservableUpDownCounter, ObservableGauge, Exposed
{
  private readonly callbacks = new Set<ObservableCallback>();
  /** What the last scrape observed, by rendered labels. */
  private observed = new Map<string, number>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    private readonly maxSeries: number,
  ) {}

  addCallback(callback: ObservableCallback): void {
    this.callbacks.add(callback);
  }

  removeCallback(callback: ObservableCallback): void {
    this.callbacks.delete(callback);
  }

  /** A fresh scrape: forget what the previous one saw (series that vanished are not reported). */
  reset(): void {
    this.observed = new Map();
  }

  take(value: number, attributes: Attributes | undefined): void {
    if (typeof value !== 'number') return;
    const labels = attributes === undefined ? '' : renderLabels(attributes);
    this.observed.set(withinCap(this.observed, labels, this.maxSeries), value);
  }

  async observe(): Promise<void> {
    const result: ObservableResult = { observe: (value, attributes) => this.take(value, attributes) };
    // A callback that throws or rejects loses its own values only, never the scrape.
    await Promise.all([...this.callbacks].map(async (callback) => callback(result)).map(quiet));
  }

  samples(): string {
    let out = '';
    for (const [labels, value] of this.observed) out += sample(this.name, labels, value);
    return out;
  }
}

export function quiet(promise: Promise<unknown>): Promise<void> {
  return promise.then(
    () => undefined,
    () => undefined,
  );
}
