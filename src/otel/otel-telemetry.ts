import {
  type Attributes,
  type Context,
  context,
  type Histogram,
  INVALID_TRACEID,
  type Link,
  type Meter,
  type MeterProvider,
  metrics,
  type ObservableResult,
  ProxyTracerProvider,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type Tracer,
  type TracerProvider,
  trace,
  type UpDownCounter,
} from '@opentelemetry/api';
import type {
  NetworkInfo,
  Operation,
  Outcome,
  SentOperation,
  ServedOperation,
  SessionSpan,
  Telemetry,
  TelemetryCounter,
  TelemetryGauge,
} from '../engine/telemetry.js';
import { isRecord } from '../protocol/is-record.js';
import { META } from '../protocol/meta.js';
import { LEGACY_REVISIONS, MODERN_REVISIONS } from '../protocol/revisions.js';
import * as A from './attributes.js';

export interface OtelTelemetryOptions {
  /** Default: the global provider (`trace.setGlobalTracerProvider`, which NodeSDK sets). */
  tracerProvider?: TracerProvider;
  /** Default: the global provider. `prometheusMetrics().meterProvider` serves `/metrics` without an SDK. */
  meterProvider?: MeterProvider;
  /** Default: the global propagator (W3C trace context and baggage under NodeSDK). */
  propagator?: TextMapPropagator;
  /**
   * Record tool arguments and results on spans (`gen_ai.tool.call.arguments`/`.result`), as JSON
   * cut at `maxAttributeLength`. Off by default: they may hold personal data.
   */
  captureToolContent?: boolean;
  /** Longest string attribute recorded (names, URIs, captured content). Default 1,024. */
  maxAttributeLength?: number;
  /**
   * Distinct tool and prompt names recorded on metrics; later ones count as `_OTHER`, as do names
   * the server refused (unknown tool). Default 1,000.
   */
  maxTargetNames?: number;
}

const DESCRIPTIONS: Record<TelemetryCounter | TelemetryGauge, string> = {
  'mcpkit.rate_limit.decisions': 'Rate-limit decisions: allowed, refused (by limit) or store_failure',
  'mcpkit.task.transitions': 'Tasks reaching a state (working, input_required, completed, failed, cancelled)',
  'mcpkit.server.streams.open': 'Long-lived SSE streams open now (legacy GET, modern subscriptions/listen)',
  'mcpkit.event_store.events': 'Events kept for Last-Event-ID resumption',
  'mcpkit.event_store.bytes': 'Bytes of events kept for Last-Event-ID resumption',
};

const metaGetter: TextMapGetter<Record<string, unknown>> = {
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
  keys: (carrier) => Object.keys(carrier),
};
const headerGetter: TextMapGetter<{ get(name: string): string | null }> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: () => [],
};
const metaSetter: TextMapSetter<Record<string, unknown>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Distinct JSON-RPC error codes kept as metric labels. */
const MAX_CODES = 100;

const KNOWN_REVISIONS: ReadonlySet<unknown> = new Set([...LEGACY_REVISIONS, ...MODERN_REVISIONS]);

/** Values a peer chooses, kept as metric labels up to `max` distinct ones; later ones are `_OTHER`. */
class BoundedLabels {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}

  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return A.OTHER;
    this.seen.add(value);
    return value;
  }
}

/** What the global tracer provider delegates to until an SDK registers one. */
const NO_TRACING = new ProxyTracerProvider().getDelegate();

/** JSON-RPC codes that mean the caller named something that does not exist (or sent nonsense). */
const REFUSED_NAME = new Set([-32601, -32602]);

/**
 * Spans and metrics for mcpkit by the OpenTelemetry MCP semantic conventions, through
 * `@opentelemetry/api` only: pass it as the `telemetry` option of `McpServer` and `Client`.
 */
export function otelTelemetry(options: OtelTelemetryOptions = {}): Telemetry {
  return new OtelTelemetry(options);
}

class OtelTelemetry implements Telemetry {
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly maxLength: number;
  readonly captureContent: boolean;
  private readonly propagator: TextMapPropagator | undefined;
  readonly serverDuration: Histogram;
  readonly clientDuration: Histogram;
  private readonly serverSessionDuration: Histogram;
  private readonly clientSessionDuration: Histogram;
  /** Requests being served, by method: read when metrics are collected, never sent per request. */
  readonly inFlight = new Map<string, number>();
  private readonly sessionsOpen: UpDownCounter;
  readonly errors: ReturnType<Meter['createCounter']>;
  readonly mrtrRounds: ReturnType<Meter['createCounter']>;
  private readonly counters = new Map<TelemetryCounter, ReturnType<Meter['createCounter']>>();
  private readonly gauges = new Map<TelemetryGauge, Set<() => number>>();
  private readonly targets: BoundedLabels;
  private readonly codes = new BoundedLabels(MAX_CODES);
  /** The global provider while it may still be a no-op (no SDK registered yet), else undefined. */
  private readonly globalProvider: ProxyTracerProvider | undefined;

  constructor(options: OtelTelemetryOptions) {
    const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
    this.tracer = tracerProvider.getTracer('mcpkit');
    this.globalProvider = tracerProvider instanceof ProxyTracerProvider ? tracerProvider : undefined;
    this.meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter('mcpkit');
    this.propagator = options.propagator;
    this.maxLength = options.maxAttributeLength ?? 1024;
    this.captureContent = options.captureToolContent ?? false;
    this.targets = new BoundedLabels(options.maxTargetNames ?? 1000);
    const duration = (name: string, description: string) =>
      this.meter.createHistogram(name, {
        unit: 's',
        description,
        advice: { explicitBucketBoundaries: A.DURATION_BUCKETS },
      });
    this.serverDuration = duration(
      A.METRIC_SERVER_OPERATION_DURATION,
      'MCP request duration as observed on the receiver, from receipt until the answer is sent',
    );
    this.clientDuration = duration(
      A.METRIC_CLIENT_OPERATION_DURATION,
      'MCP request duration as observed on the sender, from sending until the answer arrives',
    );
    this.serverSessionDuration = duration(
      A.METRIC_SERVER_SESSION_DURATION,
      'MCP session duration at the server',
    );
    this.clientSessionDuration = duration(
      A.METRIC_CLIENT_SESSION_DURATION,
      'MCP session duration at the client',
    );
    this.meter
      .createObservableUpDownCounter(A.METRIC_REQUESTS_IN_FLIGHT, {
        description: 'Requests the server is serving now',
      })
      .addCallback((result) => {
        for (const [method, count] of this.inFlight)
          result.observe(count, { [A.ATTR_MCP_METHOD_NAME]: method });
      });
    this.sessionsOpen = this.meter.createUpDownCounter(A.METRIC_SESSIONS_OPEN, {
      description: 'Legacy-era sessions open now (mcpkit.role: client or server)',
    });
    this.errors = this.meter.createCounter(A.METRIC_SERVER_ERRORS, {
      description: 'Requests the server answered with a JSON-RPC error, by code',
    });
    this.mrtrRounds = this.meter.createCounter(A.METRIC_MRTR_ROUNDS, {
      description: 'Modern requests answered with input_required (one per MRTR round)',
    });
  }

  serve(operation: Operation): ServedOperation {
    const meta = metaOf(operation);
    const fromMeta = meta !== undefined && typeof meta.traceparent === 'string';
    const header = fromMeta ? null : (operation.headers?.get('traceparent') ?? null);
    // No tracer and no caller's trace to carry on: metrics only, with no span and no context.
    if (!fromMeta && header === null && this.globalProvider?.getDelegate() === NO_TRACING)
      return new Measured(this, operation, this.metricAttributesOf(operation));
    let parent = context.active();
    let links: Link[] | undefined;
    if (fromMeta || header !== null) {
      // The MCP context is the parent; the ambient one (an HTTP span, say) is linked.
      const ambient = trace.getSpanContext(parent);
      if (ambient) links = [{ context: ambient }];
      parent = fromMeta
        ? this.extract(ROOT_CONTEXT, meta, metaGetter)
        : this.extract(ROOT_CONTEXT, operation.headers!, headerGetter);
    }
    const span = this.tracer.startSpan(
      spanName(operation),
      {
        kind: SpanKind.SERVER,
        attributes: this.attributesOf(operation, 'server'),
        ...(links ? { links } : {}),
      },
      parent,
    );
    return new Served(this, span, parent, operation, this.metricAttributesOf(operation));
  }

  send(operation: Operation): SentOperation {
    const attributes = this.attributesOf(operation, 'client');
    const active = context.active();
    const span = this.tracer.startSpan(spanName(operation), { kind: SpanKind.CLIENT, attributes }, active);
    const meta: Record<string, unknown> = { ...metaOf(operation) };
    const withSpan = trace.setSpan(active, span);
    if (this.propagator) this.propagator.inject(withSpan, meta, metaSetter);
    else propagation.inject(withSpan, meta, metaSetter);
    const params = { ...operation.params, _meta: meta };
    return new Sent(this, span, operation, params, this.metricAttributesOf(operation));
  }

  session(role: 'client' | 'server', protocolVersion: string, network: NetworkInfo | undefined): SessionSpan {
    const started = performance.now();
    const attributes: Attributes = { [A.ATTR_MCP_PROTOCOL_VERSION]: protocolVersion };
    if (network) {
      attributes[A.ATTR_NETWORK_TRANSPORT] = network.transport;
      if (network.protocol) attributes[A.ATTR_NETWORK_PROTOCOL_NAME] = network.protocol;
    }
    const open = { [A.ATTR_MCPKIT_ROLE]: role };
    this.sessionsOpen.add(1, open);
    let ended = false;
    return {
      end: (error) => {
        if (ended) return;
        ended = true;
        this.sessionsOpen.add(-1, open);
        const histogram = role === 'server' ? this.serverSessionDuration : this.clientSessionDuration;
        const final = error
          ? { ...attributes, [A.ATTR_ERROR_TYPE]: 'code' in error ? String(error.code) : errorClass(error) }
          : attributes;
        histogram.record((performance.now() - started) / 1000, final);
      },
    };
  }

  task(taskId: string, tool: string | undefined, run: () => Promise<string>): Promise<void> {
    const attributes: Attributes = { [A.ATTR_MCPKIT_TASK_ID]: taskId };
    if (tool) attributes[A.ATTR_GEN_AI_TOOL_NAME] = tool;
    const span = this.tracer.startSpan(tool ? `task ${tool}` : 'task', {
      kind: SpanKind.INTERNAL,
      attributes,
    });
    return context.with(trace.setSpan(context.active(), span), run).then(
      (status) => {
        span.setAttribute(A.ATTR_MCPKIT_TASK_STATUS, status);
        if (status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: 'task failed' });
        span.end();
      },
      (error: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        span.end();
      },
    );
  }

  count(counter: TelemetryCounter, attributes: Record<string, string>): void {
    let instrument = this.counters.get(counter);
    if (!instrument) {
      instrument = this.meter.createCounter(counter, { description: DESCRIPTIONS[counter] });
      this.counters.set(counter, instrument);
    }
    instrument.add(1, attributes);
  }

  gauge(gauge: TelemetryGauge, read: () => number): () => void {
    let readers = this.gauges.get(gauge);
    if (!readers) {
      const set = new Set<() => number>();
      readers = set;
      this.gauges.set(gauge, set);
      this.meter
        .createObservableGauge(gauge, { description: DESCRIPTIONS[gauge] })
        .addCallback((result: ObservableResult) => {
          if (set.size === 0) return;
          let total = 0;
          for (const r of set) total += r();
          result.observe(total);
        });
    }
    readers.add(read);
    const set = readers;
    return () => void set.delete(read);
  }

  /** The tool or prompt name as a metric label: known names, up to the cap; the rest `_OTHER`. */
  targetLabel(name: string, outcome: Outcome): string {
    if ('error' in outcome && REFUSED_NAME.has(outcome.error.code)) return A.OTHER;
    return name.length > 256 ? A.OTHER : this.targets.label(name);
  }

  /** An error code as a metric label: the first `MAX_CODES` distinct codes, then `_OTHER`. */
  codeLabel(code: string): string {
    return this.codes.label(code);
  }

  cut(value: string): string {
    return value.length > this.maxLength ? value.slice(0, this.maxLength) : value;
  }

  private extract<C>(base: Context, carrier: C, getter: TextMapGetter<C>): Context {
    return this.propagator
      ? this.propagator.extract(base, carrier, getter)
      : propagation.extract(base, carrier, getter);
  }

  /**
   * What metrics carry: never ids or URIs, only what tells series apart (each attribute is part of
   * the series' key on every record). The outcome adds the tool or prompt and the error.
   */
  metricAttributesOf(operation: Operation): Attributes {
    const { method } = operation;
    const out: Attributes = { [A.ATTR_MCP_METHOD_NAME]: A.KNOWN_METHODS.has(method) ? method : A.OTHER };
    // The version comes from the caller's _meta: only revisions that exist become a label.
    const version = metaOf(operation)?.[META.protocolVersion] ?? operation.protocolVersion;
    if (typeof version === 'string')
      out[A.ATTR_MCP_PROTOCOL_VERSION] = KNOWN_REVISIONS.has(version) ? version : A.OTHER;
    const transport = operation.network?.transport;
    if (transport !== undefined) out[A.ATTR_NETWORK_TRANSPORT] = transport;
    return out;
  }

  private attributesOf(operation: Operation, side: 'client' | 'server'): Attributes {
    const { method, params } = operation;
    const attributes: Attributes = {
      [A.ATTR_MCP_METHOD_NAME]: A.KNOWN_METHODS.has(method) ? method : this.cut(method),
      [A.ATTR_JSONRPC_REQUEST_ID]: this.cut(String(operation.id)),
    };
    const version = metaOf(operation)?.[META.protocolVersion] ?? operation.protocolVersion;
    if (typeof version === 'string') attributes[A.ATTR_MCP_PROTOCOL_VERSION] = this.cut(version);
    if (operation.sessionId) attributes[A.ATTR_MCP_SESSION_ID] = operation.sessionId;
    const network = operation.network;
    if (network) {
      attributes[A.ATTR_NETWORK_TRANSPORT] = network.transport;
      if (network.protocol) attributes[A.ATTR_NETWORK_PROTOCOL_NAME] = network.protocol;
      if (network.peerAddress) {
        attributes[side === 'client' ? A.ATTR_SERVER_ADDRESS : A.ATTR_CLIENT_ADDRESS] = network.peerAddress;
        if (network.peerPort !== undefined)
          attributes[side === 'client' ? A.ATTR_SERVER_PORT : A.ATTR_CLIENT_PORT] = network.peerPort;
      }
    }
    const name = params?.name;
    if (method === 'tools/call' && typeof name === 'string') {
      attributes[A.ATTR_GEN_AI_TOOL_NAME] = this.cut(name);
      attributes[A.ATTR_GEN_AI_OPERATION_NAME] = 'execute_tool';
      if (this.captureContent && params?.arguments !== undefined)
        attributes[A.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = this.cut(safeJson(params.arguments));
    } else if (method === 'prompts/get' && typeof name === 'string') {
      attributes[A.ATTR_GEN_AI_PROMPT_NAME] = this.cut(name);
    }
    const uri = params?.uri;
    if (typeof uri === 'string' && method.startsWith('resources/'))
      attributes[A.ATTR_MCP_RESOURCE_URI] = this.cut(uri);
    if (params?.requestState !== undefined) attributes[A.ATTR_MCPKIT_MRTR_RETRY] = true;
    return attributes;
  }
}

/**
 * The request's `_meta` when it is an object. Telemetry reads it before the method's schema has
 * (a peer's `"_meta": null` reached here unchecked and crashed a stdio server).
 */
function metaOf(operation: Operation): Record<string, unknown> | undefined {
  const meta = operation.params?._meta;
  return isRecord(meta) ? meta : undefined;
}

/** `{method} {tool or prompt}`; an unknown method is `_OTHER`, so a caller cannot mint span names. */
function spanName(operation: Operation): string {
  const { method } = operation;
  if (!A.KNOWN_METHODS.has(method)) return A.OTHER;
  const name = operation.params?.name;
  if ((method === 'tools/call' || method === 'prompts/get') && typeof name === 'string' && name.length <= 128)
    return `${method} ${name}`;
  return method;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '[unserializable]';
  }
}

function errorClass(error: unknown): string {
  return error instanceof Error && error.name ? error.name : A.OTHER;
}

/** How a thrown value ends an operation: its JSON-RPC code, or -32603 for anything else. */
function outcomeOfThrown(error: unknown): Outcome {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && Number.isInteger(code))
    return { error: { code, message: String((error as Error).message ?? '') } };
  return { error: { code: -32603, message: 'Internal error' } };
}

const CANCELLED: Outcome = { cancelled: true };

/**
 * Puts the outcome on a metric's attributes: the tool or prompt name (bounded) and the error.
 * Returns true when a refused name must not stay in the span's name.
 */
function labelOutcome(
  telemetry: OtelTelemetry,
  operation: Operation,
  attributes: Attributes,
  outcome: Outcome,
): boolean {
  const { method } = operation;
  const name = operation.params?.name;
  let refusedName = false;
  if ((method === 'tools/call' || method === 'prompts/get') && typeof name === 'string') {
    const label = telemetry.targetLabel(name, outcome);
    attributes[method === 'tools/call' ? A.ATTR_GEN_AI_TOOL_NAME : A.ATTR_GEN_AI_PROMPT_NAME] = label;
    refusedName = label === A.OTHER && 'error' in outcome;
  }
  if ('cancelled' in outcome) attributes[A.ATTR_ERROR_TYPE] = 'cancelled';
  else if ('error' in outcome) {
    // A peer picks the codes it answers with: past the cap, new ones count as _OTHER on metrics.
    const label = telemetry.codeLabel(String(outcome.error.code));
    attributes[A.ATTR_ERROR_TYPE] = label;
    attributes[A.ATTR_RPC_RESPONSE_STATUS_CODE] = label;
  } else if (outcome.result.isError === true) attributes[A.ATTR_ERROR_TYPE] = 'tool_error';
  return refusedName;
}

/** Records what an outcome says on a span. */
function settleSpan(
  telemetry: OtelTelemetry,
  span: Span,
  operation: Operation,
  outcome: Outcome,
  refusedName: boolean,
): void {
  const { method } = operation;
  // A name the server refused is the caller's text: it stays an attribute, not the span's name.
  if (refusedName) span.updateName(method);
  if ('cancelled' in outcome) {
    span.setAttribute(A.ATTR_ERROR_TYPE, 'cancelled');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'cancelled' });
    return;
  }
  if ('error' in outcome) {
    const code = String(outcome.error.code);
    span.setAttributes({ [A.ATTR_ERROR_TYPE]: code, [A.ATTR_RPC_RESPONSE_STATUS_CODE]: code });
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.message });
    return;
  }
  const result = outcome.result;
  if (result.isError === true) {
    span.setAttribute(A.ATTR_ERROR_TYPE, 'tool_error');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'tool_error' });
  } else if (telemetry.captureContent && method === 'tools/call') {
    span.setAttribute(
      A.ATTR_GEN_AI_TOOL_CALL_RESULT,
      telemetry.cut(safeJson(result.structuredContent ?? result.content)),
    );
  }
  const resultType = result.resultType;
  if (resultType === 'input_required') {
    const inputs = Object.keys((result.inputRequests as object | undefined) ?? {}).length;
    span.setAttribute(A.ATTR_MCPKIT_RESULT_TYPE, 'input_required');
    span.addEvent('mcp.input_required', { [A.ATTR_MCPKIT_MRTR_INPUTS]: inputs });
  } else if (
    resultType === 'task' ||
    (typeof result.taskId === 'string' && typeof result.status === 'string')
  ) {
    span.setAttribute(A.ATTR_MCPKIT_RESULT_TYPE, 'task');
    span.setAttribute(A.ATTR_MCPKIT_TASK_ID, String(result.taskId));
  }
}

/**
 * A request served with metrics only (no tracer, no caller's trace): its duration, count and
 * errors, with no span and no change of async context.
 */
class Measured implements ServedOperation {
  private readonly started = performance.now();
  private readonly method: string;
  private ended = false;

  constructor(
    protected readonly telemetry: OtelTelemetry,
    protected readonly operation: Operation,
    protected readonly attributes: Attributes,
  ) {
    const method = attributes[A.ATTR_MCP_METHOD_NAME] as string;
    this.method = method;
    const inFlight = telemetry.inFlight;
    inFlight.set(method, (inFlight.get(method) ?? 0) + 1);
  }

  get traceId(): string | undefined {
    return undefined;
  }

  enter<T>(serve: () => T): T {
    return serve();
  }

  resolved(result: Record<string, unknown>, cancelled: boolean): void {
    this.end(cancelled ? CANCELLED : { result });
  }

  rejected(error: unknown, cancelled: boolean): void {
    this.end(cancelled ? CANCELLED : outcomeOfThrown(error), error);
  }

  event(_name: string, _attributes?: Record<string, string | number | boolean>): void {}

  /** Metrics, then the span (if any): telemetry never throws into the answer's path. */
  private end(outcome: Outcome, thrown?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const { telemetry, attributes, method } = this;
    try {
      telemetry.inFlight.set(method, telemetry.inFlight.get(method)! - 1);
      const refusedName = labelOutcome(telemetry, this.operation, attributes, outcome);
      if ('error' in outcome)
        telemetry.errors.add(1, {
          [A.ATTR_MCP_METHOD_NAME]: method,
          [A.ATTR_RPC_RESPONSE_STATUS_CODE]: attributes[A.ATTR_RPC_RESPONSE_STATUS_CODE] as string,
        });
      else if ('result' in outcome && outcome.result.resultType === 'input_required')
        telemetry.mrtrRounds.add(1, { [A.ATTR_MCP_METHOD_NAME]: method });
      this.finishSpan(outcome, refusedName, thrown);
      telemetry.serverDuration.record((performance.now() - this.started) / 1000, attributes);
    } catch {
      // A failing telemetry backend must not cost the caller its answer.
    }
  }

  protected finishSpan(_outcome: Outcome, _refusedName: boolean, _thrown: unknown): void {}
}

/** A request served inside a SERVER span: the handler runs in its context. */
class Served extends Measured {
  constructor(
    telemetry: OtelTelemetry,
    private readonly span: Span,
    private readonly parent: Context,
    operation: Operation,
    attributes: Attributes,
  ) {
    super(telemetry, operation, attributes);
  }

  override get traceId(): string | undefined {
    const context = this.span.spanContext();
    return trace.isSpanContextValid(context) ? context.traceId : undefined;
  }

  override enter<T>(serve: () => T): T {
    // A span with no trace (a no-op tracer) gives the handler nothing to inherit.
    return this.span.spanContext().traceId !== INVALID_TRACEID
      ? context.with(trace.setSpan(this.parent, this.span), serve)
      : serve();
  }

  override event(name: string, attributes?: Record<string, string | number | boolean>): void {
    this.span.addEvent(name, attributes);
  }

  protected override finishSpan(outcome: Outcome, refusedName: boolean, thrown: unknown): void {
    // An exception that is not a JSON-RPC error is a failure of the server worth its stack.
    if (
      thrown !== undefined &&
      !('cancelled' in outcome) &&
      typeof (thrown as { code?: unknown })?.code !== 'number'
    )
      this.span.recordException(thrown as Error);
    settleSpan(this.telemetry, this.span, this.operation, outcome, refusedName);
    this.span.end();
  }
}

class Sent implements SentOperation {
  private readonly started = performance.now();
  private ended = false;

  constructor(
    private readonly telemetry: OtelTelemetry,
    private readonly span: Span,
    private readonly operation: Operation,
    readonly params: Record<string, unknown>,
    private readonly attributes: Attributes,
  ) {}

  end(outcome: Outcome): void {
    if (this.ended) return;
    this.ended = true;
    const refusedName = labelOutcome(this.telemetry, this.operation, this.attributes, outcome);
    settleSpan(this.telemetry, this.span, this.operation, outcome, refusedName);
    this.telemetry.clientDuration.record((performance.now() - this.started) / 1000, this.attributes);
    this.span.end();
  }

  event(name: string, attributes?: Record<string, string | number | boolean>): void {
    this.span.addEvent(name, attributes);
  }
}
