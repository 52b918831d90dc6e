// OpenTelemetry SDK pieces for tests: in-memory spans, metrics read on demand, and a global
// context manager so that spans started inside handlers find their parent across awaits.
import { type Span as ApiSpan, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { otelTelemetry } from '../../src/otel/index.js';

let contextManager: AsyncLocalStorageContextManager | undefined;

/** The async context manager a NodeSDK would install; once per test process. */
export function installContextManager(): void {
  if (contextManager) return;
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
}

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface TelemetryHarness {
  telemetry: ReturnType<typeof otelTelemetry>;
  spans(): ReadableSpan[];
  reset(): void;
  /** Data points of one metric, by name. */
  points(name: string): Promise<DataPoint<number | Histogram>[]>;
  /** The tracer a handler would use for its own spans. */
  handlerSpan<T>(name: string, run: (span: ApiSpan) => Promise<T>): Promise<T>;
}

export function telemetryHarness(options: { captureToolContent?: boolean } = {}): TelemetryHarness {
  installContextManager();
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const telemetry = otelTelemetry({
    tracerProvider,
    meterProvider,
    propagator: new W3CTraceContextPropagator(),
    ...options,
  });
  const tracer = tracerProvider.getTracer('handler');
  return {
    telemetry,
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    async points(name) {
      const { resourceMetrics } = await reader.collect();
      for (const scope of resourceMetrics.scopeMetrics)
        for (const metric of scope.metrics)
          if (metric.descriptor.name === name) return metric.dataPoints as DataPoint<number | Histogram>[];
      return [];
    },
    handlerSpan: (name, run) =>
      tracer.startActiveSpan(name, async (span) => {
        try {
          return await run(span);
        } finally {
          span.end();
        }
      }),
  };
}

/** The spans of one trace, by name, for readable assertions. */
export function byName(spans: ReadableSpan[], name: string, kind?: number): ReadableSpan[] {
  return spans.filter((s) => s.name === name && (kind === undefined || s.kind === kind));
}

export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

export { trace };
