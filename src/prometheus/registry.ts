import type {
  BatchObservableCallback,
  BatchObservableResult,
  Meter,
  MeterProvider,
  MetricOptions,
  Observable,
} from '@opentelemetry/api';
import { helpText, metricName } from './exposition.js';
import {
  type Exposed,
  HistogramInstrument,
  LastValueInstrument,
  ObservableInstrument,
  quiet,
  SumInstrument,
} from './instruments.js';

export interface RegistryLimits {
  readonly prefix: string | undefined;
  readonly maxSeriesPerMetric: number;
  readonly maxMetrics: number;
  readonly collectTimeoutMs: number;
}

type Kind = 'counter' | 'updown' | 'gauge' | 'histogram' | 'obs-counter' | 'obs-updown' | 'obs-gauge';

interface Batch {
  readonly callback: BatchObservableCallback;
  readonly observables: readonly Observable[];
}

/**
 * The OpenTelemetry metrics API (`MeterProvider` and `Meter`) over series kept in this process and
 * rendered as Prometheus text when scraped: a record is a map lookup and an increment, with no
 * SDK between mcpkit and the numbers. Every meter shares one registry (no scope labels).
 */
export class MetricRegistry implements MeterProvider, Meter {
  private readonly metrics = new Map<string, { kind: Kind; metric: Exposed }>();
  private readonly batches: Batch[] = [];
  /** The scrape under way: scrapes that overlap share it rather than reset each other's readings. */
  private scraping: Promise<string> | undefined;

  constructor(private readonly limits: RegistryLimits) {}

  getMeter(): Meter {
    return this;
  }

  createCounter(name: string, options?: MetricOptions): SumInstrument {
    return this.register('counter', name, options, (n, help, max) => new SumInstrument(n, help, true, max));
  }

  createUpDownCounter(name: string, options?: MetricOptions): SumInstrument {
    return this.register('updown', name, options, (n, help, max) => new SumInstrument(n, help, false, max));
  }

  createGauge(name: string, options?: MetricOptions): LastValueInstrument {
    return this.register('gauge', name, options, (n, help, max) => new LastValueInstrument(n, help, max));
  }

  createHistogram(name: string, options?: MetricOptions): HistogramInstrument {
    const advised = options?.advice?.explicitBucketBoundaries;
    return this.register(
      'histogram',
      name,
      options,
      (n, help, max) => new HistogramInstrument(n, help, advised, max),
    );
  }

  createObservableCounter(name: string, options?: MetricOptions): ObservableInstrument {
    return this.observable('obs-counter', name, options);
  }

  createObservableUpDownCounter(name: string, options?: MetricOptions): ObservableInstrument {
    return this.observable('obs-updown', name, options);
  }

  createObservableGauge(name: string, options?: MetricOptions): ObservableInstrument {
    return this.observable('obs-gauge', name, options);
  }

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    if (this.batches.length < this.limits.maxMetrics) this.batches.push({ callback, observables });
  }

  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    const at = this.batches.findIndex(
      (b) =>
        b.callback === callback &&
        b.observables.length === observables.length &&
        b.observables.every((o, i) => o === observables[i]),
    );
    if (at >= 0) this.batches.splice(at, 1);
  }

  /** Runs every observable callback (bounded by `collectTimeoutMs`), then renders all metrics. */
  text(): Promise<string> {
    this.scraping ??= this.collect().finally(() => {
      this.scraping = undefined;
    });
    return this.scraping;
  }

  private async collect(): Promise<string> {
    const observables = [...this.metrics.values()]
      .map((m) => m.metric)
      .filter((m): m is ObservableInstrument => m instanceof ObservableInstrument);
    for (const observable of observables) observable.reset();
    const result: BatchObservableResult = {
      observe: (observable, value, attributes) => {
        if (observable instanceof ObservableInstrument && observables.includes(observable))
          observable.take(value, attributes);
      },
    };
    const running = Promise.all([
      ...observables.map((o) => o.observe()),
      ...this.batches.map(async (b) => b.callback(result)).map(quiet),
    ]);
    // A callback that never settles must not hang the scrape: its values are simply missing.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.limits.collectTimeoutMs);
    });
    await Promise.race([running, timeout]);
    clearTimeout(timer);
    let out = '';
    for (const { metric } of this.metrics.values()) {
      const samples = metric.samples();
      if (samples === '') continue;
      if (metric.help !== '') out += `# HELP ${metric.name} ${helpText(metric.help)}\n`;
      out += `# TYPE ${metric.name} ${metric.type}\n${samples}`;
    }
    return out;
  }

  /** An observable counter is a Prometheus counter; the other two kinds are gauges. */
  private observable(kind: Kind, name: string, options: MetricOptions | undefined): ObservableInstrument {
    const type = kind === 'obs-counter' ? 'counter' : 'gauge';
    return this.register(kind, name, options, (n, help, max) => new ObservableInstrument(n, help, type, max));
  }

  /**
   * One instrument per name, as the OpenTelemetry SDK does: asking again with the same name and
   * kind gives the same instrument. A name already taken by another kind, or one past `maxMetrics`,
   * gets an instrument that records nowhere (two kinds cannot share one Prometheus family).
   */
  private register<M extends Exposed>(
    kind: Kind,
    name: string,
    options: MetricOptions | undefined,
    make: (name: string, help: string, maxSeries: number) => M,
  ): M {
    const monotonic = kind === 'counter' || kind === 'obs-counter';
    let exposed = metricName(name);
    if (this.limits.prefix) exposed = `${metricName(this.limits.prefix)}_${exposed}`;
    if (monotonic && !exposed.endsWith('_total')) exposed += '_total';
    const help = options?.description ?? '';
    const existing = this.metrics.get(exposed);
    if (existing?.kind === kind) return existing.metric as M;
    const metric = make(exposed, help, this.limits.maxSeriesPerMetric);
    if (existing === undefined && this.metrics.size < this.limits.maxMetrics)
      this.metrics.set(exposed, { kind, metric });
    return metric;
  }
}
