import { RunStream } from './run-stream.js';
import type { RequestOptions, Transport } from './transport.js';
import type { Page, Run, RunStatus, RunSummary } from './types.js';

export interface RunFilter {
  agent?: string;
  /** One status or several. */
  status?: RunStatus | RunStatus[];
  /** Runs created at or after this time. */
  from?: string | Date;
  /** Runs created before this time. */
  to?: string | Date;
  /** `next_cursor` of the previous page. */
  cursor?: string;
  limit?: number;
}

export interface DecisionOptions extends RequestOptions {
  reason?: string;
}

const segment = encodeURIComponent;

/** `/v1/runs`: agent runs — read, follow, cancel, and decide the tool calls waiting for a person. */
export class Runs {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  list(filter: RunFilter = {}, options: RequestOptions = {}): Promise<Page<RunSummary>> {
    const instant = (value: string | Date | undefined) => (value instanceof Date ? value.toISOString() : value);
    return this.transport.json({
      ...options,
      method: 'GET',
      path: '/v1/runs',
      query: {
        agent: filter.agent,
        status: Array.isArray(filter.status) ? filter.status.join(',') : filter.status,
        from: instant(filter.from),
        to: instant(filter.to),
        cursor: filter.cursor,
        limit: filter.limit,
      },
    });
  }

  /** The run with its steps (each model step with its tokens, cost and latency). */
  get(id: string, options: RequestOptions = {}): Promise<Run> {
    return this.transport.json({ ...options, method: 'GET', path: `/v1/runs/${segment(id)}` });
  }

  cancel(id: string, options: RequestOptions = {}): Promise<Run> {
    return this.transport.json({ ...options, method: 'POST', path: `/v1/runs/${segment(id)}/cancel`, idempotent: true });
  }

  /** Approves a tool call the run waits on (`run.pending_approvals[].call_id`); the run resumes once every call is decided. */
  approve(id: string, callId: string, options: DecisionOptions = {}): Promise<Run> {
    return this.decide(id, callId, 'approve', options);
  }

  reject(id: string, callId: string, options: DecisionOptions = {}): Promise<Run> {
    return this.decide(id, callId, 'reject', options);
  }

  /** Follows a run's events from its first (or after `lastEventId`), to its end or its next pause. */
  events(id: string, options: RequestOptions & { lastEventId?: string } = {}): RunStream<Run> {
    const { lastEventId, ...rest } = options;
    const path = `/v1/runs/${segment(id)}/events`;
    return new RunStream<Run>({
      transport: this.transport,
      runPath: (runId) => `/v1/runs/${segment(runId)}`,
      runId: id,
      options: rest,
      open: () =>
        this.transport.stream({
          ...rest,
          method: 'GET',
          path,
          headers: { ...rest.headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        }),
      ...(lastEventId ? { lastEventId } : {}),
    });
  }

  private decide(id: string, callId: string, decision: 'approve' | 'reject', options: DecisionOptions): Promise<Run> {
    const { reason, ...rest } = options;
    return this.transport.json({
      ...rest,
      method: 'POST',
      path: `/v1/runs/${segment(id)}/approvals`,
      body: { call_id: callId, decision, ...(reason ? { reason } : {}) },
    });
  }
}
