import { RunStream } from './run-stream.js';
import { type RequestOptions, requestOptions, type Transport } from './transport.js';
import type { JsonObject, List, Page, RunStatus } from './types.js';
import type { AppliedWorkflow, Workflow, WorkflowDocument, WorkflowRun, WorkflowRunSummary, WorkflowVersion } from './workflow-types.js';

export interface WorkflowRunOptions extends RequestOptions {
  /** `sync` (default): answer once the run finished or waits (for a person, a time); `background`: at once. */
  mode?: 'sync' | 'background';
  /** Run this version rather than the active one. */
  version?: number;
  metadata?: JsonObject;
}

export type Decision = 'approve' | 'reject';

export interface DecideOptions extends RequestOptions {
  reason?: string;
  /** A form step's fields, as the person filled them in. */
  values?: Record<string, string | number | boolean | null>;
}

const segment = encodeURIComponent;
const runPath = (id: string) => `/v1/workflow-runs/${segment(id)}`;

/** `/v1/workflow-runs`: read, follow, cancel workflow runs and decide their human steps. */
export class WorkflowRuns {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  list(
    filter: { workflow?: string; status?: RunStatus | RunStatus[]; cursor?: string; limit?: number } = {},
    options: RequestOptions = {},
  ): Promise<Page<WorkflowRunSummary>> {
    return this.transport.json({
      ...options,
      method: 'GET',
      path: '/v1/workflow-runs',
      query: {
        workflow: filter.workflow,
        status: Array.isArray(filter.status) ? filter.status.join(',') : filter.status,
        cursor: filter.cursor,
        limit: filter.limit,
      },
    });
  }

  /** The run with every step's state, output, timing and cost, and the human steps it waits on (`pending`). */
  get(id: string, options: RequestOptions = {}): Promise<WorkflowRun> {
    return this.transport.json({ ...options, method: 'GET', path: runPath(id) });
  }

  /** Cancels the run and the unfinished runs it started. */
  cancel(id: string, options: RequestOptions = {}): Promise<WorkflowRun> {
    return this.transport.json({ ...options, method: 'POST', path: `${runPath(id)}/cancel`, idempotent: true });
  }

  /** Decides a human step the run waits on (`run.pending[].call_id`); the run resumes on whichever replica leases it. */
  decide(id: string, callId: string, decision: Decision, options: DecideOptions = {}): Promise<WorkflowRun> {
    return this.transport.json({
      ...requestOptions(options),
      method: 'POST',
      path: `${runPath(id)}/decisions`,
      body: {
        call_id: callId,
        decision,
        ...(options.reason ? { reason: options.reason } : {}),
        ...(options.values ? { values: options.values } : {}),
      },
    });
  }

  /** Follows the run's events from its first (or after `lastEventId`), to its end or its next pause. */
  events(id: string, options: RequestOptions & { lastEventId?: string } = {}): RunStream<WorkflowRun> {
    const { lastEventId, ...rest } = options;
    return new RunStream<WorkflowRun>({
      transport: this.transport,
      runPath,
      runId: id,
      options: rest,
      ...(lastEventId ? { lastEventId } : {}),
      open: () =>
        this.transport.stream({
          ...rest,
          method: 'GET',
          path: `${runPath(id)}/events`,
          headers: { ...rest.headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        }),
    });
  }
}

/** `/v1/workflows`: a tenant's workflow documents and their runs (keys: `agents:write` to save, `agents:run` to run). */
export class Workflows {
  readonly runs: WorkflowRuns;

  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
    this.runs = new WorkflowRuns(transport);
  }

  /**
   * Saves a document, as an object or as YAML text: a new workflow, a new version of it, or nothing when it is
   * the same document again (`result: "unchanged"`), so saving is safe to repeat.
   */
  apply(document: WorkflowDocument | string, options: RequestOptions = {}): Promise<AppliedWorkflow> {
    return this.transport.json({
      ...options,
      method: 'POST',
      path: '/v1/workflows',
      ...(typeof document === 'string' ? { text: { content: document, contentType: 'application/yaml' } } : { body: document }),
      idempotent: true,
    });
  }

  list(options: RequestOptions = {}): Promise<List<Workflow>> {
    return this.transport.json({ ...options, method: 'GET', path: '/v1/workflows' });
  }

  get(name: string, options: RequestOptions = {}): Promise<Workflow> {
    return this.transport.json({ ...options, method: 'GET', path: `/v1/workflows/${segment(name)}` });
  }

  versions(name: string, options: RequestOptions = {}): Promise<List<WorkflowVersion>> {
    return this.transport.json({ ...options, method: 'GET', path: `/v1/workflows/${segment(name)}/versions` });
  }

  activate(name: string, version: number, options: RequestOptions = {}): Promise<Workflow> {
    return this.transport.json({
      ...options,
      method: 'POST',
      path: `/v1/workflows/${segment(name)}/activate`,
      body: { version },
      idempotent: true,
    });
  }

  async delete(name: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.json({ ...options, method: 'DELETE', path: `/v1/workflows/${segment(name)}` });
  }

  /**
   * Runs the workflow: with `mode: "sync"` (default) answers once it finished or waits (`waiting_approval` for a
   * human step, `waiting` for a time); `background` answers the queued run at once. Never retried on a 5xx.
   */
  run(name: string, input: JsonObject = {}, options: WorkflowRunOptions = {}): Promise<WorkflowRun> {
    return this.transport.json({
      ...requestOptions(options),
      method: 'POST',
      path: `/v1/workflows/${segment(name)}/runs`,
      body: this.runBody(input, options, options.mode ?? 'sync'),
    });
  }

  /** Runs the workflow, yielding its events as they happen; the run starts when the iteration does. */
  stream(name: string, input: JsonObject = {}, options: Omit<WorkflowRunOptions, 'mode'> = {}): RunStream<WorkflowRun> {
    const base = requestOptions(options);
    return new RunStream<WorkflowRun>({
      transport: this.transport,
      runPath,
      options: base,
      open: () =>
        this.transport.stream({
          ...base,
          method: 'POST',
          path: `/v1/workflows/${segment(name)}/runs`,
          body: this.runBody(input, options, 'stream'),
        }),
    });
  }

  private runBody(input: JsonObject, options: WorkflowRunOptions, mode: 'sync' | 'background' | 'stream') {
    return {
      input,
      mode,
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.metadata ? { metadata: options.metadata } : {}),
    };
  }
}
