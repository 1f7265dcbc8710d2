import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from '@opentelemetry/api';
import { HubError } from '../core/index.js';

export type SpanAttributeValue = string | number | boolean;
/** Undefined values are skipped, so callers can pass optional fields as they are. */
export type SpanAttributes = Readonly<Record<string, SpanAttributeValue | undefined>>;

/** A span in progress; `end` is idempotent. */
export interface TraceSpan {
  setAttributes(attributes: SpanAttributes): void;
  /** Ends the span; with an error, marks it failed and sets `error.type` (the code, never the message). */
  end(error?: unknown): void;
  /** Runs `work` with this span as the parent of every span started inside it, across awaits. */
  run<T>(work: () => T): T;
}

export interface SpanOptions {
  /** `client` (default): a call to another service; `internal`: work inside the hub (an agent run, a tool call). */
  kind?: 'client' | 'internal';
}

export interface Tracer {
  /** False for the no-op tracer: callers skip building attributes at all. */
  readonly enabled: boolean;
  /** The span is a child of the span whose `run` this is called inside, if any. */
  startSpan(name: string, attributes?: SpanAttributes, options?: SpanOptions): TraceSpan;
  /** Exports every ended span now. */
  flush(): Promise<void>;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTLP/HTTP traces URL (e.g. http://127.0.0.1:4318/v1/traces); absent: tracing off. */
  endpoint?: string | undefined;
  /** `service.name` of the exported resource (default `tokenhub`). */
  serviceName?: string;
  /** Headers for the collector (e.g. its auth token). */
  headers?: Record<string, string>;
}

const NOOP_SPAN: TraceSpan = Object.freeze({ setAttributes: () => {}, end: () => {}, run: <T>(work: () => T): T => work() });

/** Tracing off: every span is one shared frozen object and nothing is exported. */
export const noopTracer: Tracer = Object.freeze({
  enabled: false,
  startSpan: () => NOOP_SPAN,
  flush: async () => {},
  shutdown: async () => {},
});

/** `error.type` per the semantic conventions: a low-cardinality class of error, never its message. */
export function errorTypeOf(error: unknown): string {
  if (error instanceof HubError) return error.code;
  if (error instanceof Error) return error.name || 'Error';
  return '_OTHER';
}

function definedAttributes(attributes: SpanAttributes | undefined): Record<string, SpanAttributeValue> {
  const defined: Record<string, SpanAttributeValue> = {};
  if (attributes) for (const [name, value] of Object.entries(attributes)) if (value !== undefined) defined[name] = value;
  return defined;
}

/**
 * A tracer exporting over OTLP/HTTP (JSON) in batches, or the no-op tracer when no endpoint is set.
 * The OpenTelemetry SDK is imported only when tracing is on, so a hub without it never loads it.
 */
export async function createTracer(options: TracingOptions): Promise<Tracer> {
  if (!options.endpoint) return noopTracer;
  const [
    { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace },
    { BasicTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { ATTR_SERVICE_NAME },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const exporter = new OTLPTraceExporter({ url: options.endpoint, ...(options.headers ? { headers: options.headers } : {}) });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? 'tokenhub' }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('tokenhub');
  // Parents travel with the async flow of this tracer only: no global context manager is installed.
  const activeContext = new AsyncLocalStorage<Context>();
  return {
    enabled: true,
    startSpan(name, attributes, options) {
      const parent = activeContext.getStore() ?? ROOT_CONTEXT;
      const kind = options?.kind === 'internal' ? SpanKind.INTERNAL : SpanKind.CLIENT;
      const span = tracer.startSpan(name, { kind, attributes: definedAttributes(attributes) }, parent);
      let ended = false;
      return {
        run: (work) => activeContext.run(trace.setSpan(parent, span), work),
        setAttributes: (more) => {
          if (!ended) span.setAttributes(definedAttributes(more));
        },
        end: (error) => {
          if (ended) return;
          ended = true;
          if (error !== undefined) {
            const type = errorTypeOf(error);
            span.setAttribute('error.type', type);
            span.setStatus({ code: SpanStatusCode.ERROR, message: type });
          }
          span.end();
        },
      };
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
