import { TokenHubError } from './errors.js';
import { EventStream } from './event-stream.js';
import type { ServerSentEvent } from './sse.js';
import type { OpenStream, RequestOptions, Transport } from './transport.js';
import { type RunEvent, type RunStatus, SETTLED_RUN_STATUSES } from './types.js';

const ENDING_EVENTS = new Set(SETTLED_RUN_STATUSES.map((status) => `run.${status}`));

/** Whether a run's stream ends after this event: the run finished, or paused for a person or a time. */
export const endsRunStream = (event: RunEvent): boolean => ENDING_EVENTS.has(event.type);

/** One SSE message's `data` as JSON. */
export function parseEventData<T>(message: ServerSentEvent): T {
  try {
    return JSON.parse(message.data) as T;
  } catch (error) {
    throw new TokenHubError(`The hub sent an event (${message.event}) whose data is not JSON.`, { code: 'invalid_event', cause: error });
  }
}

export interface RunStreamOptions {
  transport: Transport;
  /** Opens the stream the first time (a run started with `stream: true`, or its events route). */
  open(signal: AbortSignal | undefined): Promise<OpenStream>;
  /** `/v1/runs/{id}` or `/v1/workflow-runs/{id}`: the run, and its events below it. */
  runPath(runId: string): string;
  /** A run already known (following an existing run's events); otherwise learnt from the first event. */
  runId?: string;
  /** The `Last-Event-ID` the stream was opened with. */
  lastEventId?: string;
  options?: RequestOptions;
}

/**
 * A run's events as they happen (`for await (const event of stream)`), ending once the run finished or
 * paused (`run.completed`, `run.waiting_approval`…). A dropped connection resumes from the run's events
 * route after the last event seen, never starting the run again.
 */
export class RunStream<TRun = unknown> extends EventStream<RunEvent> {
  private readonly known: { runId: string | undefined };
  private readonly transport: Transport;
  private readonly runPath: (runId: string) => string;

  constructor(options: RunStreamOptions) {
    const { transport, runPath } = options;
    const known: { runId: string | undefined } = { runId: options.runId };
    const signal = options.options?.signal;
    super({
      open: options.open,
      canResume: () => known.runId !== undefined,
      resume: (lastEventId) =>
        transport.stream({
          ...options.options,
          method: 'GET',
          path: `${runPath(known.runId as string)}/events`,
          headers: { ...options.options?.headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        }),
      over: async () => {
        if (!known.runId) return false;
        const run = await transport.json<{ status?: RunStatus }>({
          method: 'GET',
          path: runPath(known.runId),
          ...(signal ? { signal } : {}),
        });
        return run.status !== undefined && SETTLED_RUN_STATUSES.includes(run.status);
      },
      parse: (message) => {
        const event = parseEventData<RunEvent>(message);
        if (!known.runId && typeof event.run_id === 'string') known.runId = event.run_id;
        return event;
      },
      ends: endsRunStream,
      maxReconnects: options.options?.maxRetries ?? transport.config.maxRetries,
      signal,
      ...(options.lastEventId ? { lastEventId: options.lastEventId } : {}),
    });
    this.known = known;
    this.transport = transport;
    this.runPath = runPath;
  }

  /** The run's id, once its first event said it. */
  get runId(): string | undefined {
    return this.known.runId;
  }

  /** Reads the stream to its end and answers the run as it then stands (finished, or paused). */
  async final(options: RequestOptions = {}): Promise<TRun> {
    if (!this.ended) {
      for await (const _event of this) {
        // Only the end matters here.
      }
    }
    if (!this.known.runId) throw new TokenHubError('The stream ended before it said which run it is.', { code: 'stream_interrupted' });
    return this.transport.json<TRun>({ ...options, method: 'GET', path: this.runPath(this.known.runId) });
  }
}
