import { type HubMetrics, noopTracer, type Tracer } from '../../observability/index.js';
import type { RunRecord } from '../../storage/index.js';

/** Where a tool comes from, for metrics and spans: bounded, unlike tool names. */
export type ToolType = 'builtin' | 'http' | 'mcp' | 'agent' | 'app' | 'sandbox';

export interface RunTelemetryDeps {
  metrics?: HubMetrics | undefined;
  tracer?: Tracer | undefined;
}

/** How a tool call went, as far as telemetry cares. */
export interface ToolCallTelemetry {
  name: string;
  callId: string;
  type: ToolType;
}

const monotonicSeconds = (): number => performance.now() / 1000;

/**
 * Metrics and spans of agent runs, per the OpenTelemetry GenAI agent conventions: an `invoke_agent` span per
 * attempt of a run (the model calls' `chat` spans are its children), an `execute_tool` span per tool call that
 * really runs. Replayed steps (a resumed run reading its record) are neither counted nor traced again.
 */
export class RunTelemetry {
  private readonly metrics: HubMetrics | undefined;
  private readonly tracer: Tracer;

  constructor(deps: RunTelemetryDeps = {}) {
    this.metrics = deps.metrics;
    this.tracer = deps.tracer ?? noopTracer;
  }

  /** One attempt of a run (a resumed run is a new attempt), with `work` inside its span. */
  async attempt<T extends { status: string }>(run: RunRecord, work: () => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(
      `invoke_agent ${run.subject}`,
      this.tracer.enabled
        ? {
            'gen_ai.operation.name': 'invoke_agent',
            'gen_ai.agent.name': run.subject,
            'gen_ai.agent.id': `${run.subject}@${run.version}`,
            'gen_ai.conversation.id': run.threadId ?? undefined,
            'tokenhub.run_id': run.id,
            'tokenhub.tenant_id': run.tenantId,
            'tokenhub.agent.version': run.version,
            'tokenhub.run.attempt': run.attempts,
          }
        : undefined,
      { kind: 'internal' },
    );
    try {
      const outcome = await span.run(work);
      span.setAttributes({ 'tokenhub.run.status': outcome.status });
      span.end();
      return outcome;
    } catch (error) {
      span.end(error);
      throw error;
    }
  }

  /** A model call of a run that really runs. */
  async modelStep<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.metrics?.observeAgentStep({ kind: 'model', status: 'finished' });
      return result;
    } catch (error) {
      this.metrics?.observeAgentStep({ kind: 'model', status: 'failed' });
      throw error;
    }
  }

  /** A tool call of a run that really runs; `failed` tells a tool that answered an error from one that succeeded. */
  async toolCall<T>(call: ToolCallTelemetry, failed: (result: T) => boolean, work: () => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(
      `execute_tool ${call.name}`,
      this.tracer.enabled
        ? {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': call.name,
            'gen_ai.tool.call.id': call.callId,
            // builtin tools run in the hub; http and mcp tools call out to another service.
            'gen_ai.tool.type': call.type === 'builtin' ? 'function' : 'extension',
            'tokenhub.tool.type': call.type,
          }
        : undefined,
      { kind: 'internal' },
    );
    const started = monotonicSeconds();
    // The step fails (as its record says) only when the call threw; an answered error is a finished step.
    const observe = (didFail: boolean, threw: boolean): void => {
      this.metrics?.observeToolCall({ type: call.type, seconds: monotonicSeconds() - started, failed: didFail });
      this.metrics?.observeAgentStep({ kind: 'tool', status: threw ? 'failed' : 'finished' });
    };
    try {
      const result = await span.run(work);
      const didFail = failed(result);
      observe(didFail, false);
      span.end(didFail ? new ToolError() : undefined);
      return result;
    } catch (error) {
      observe(true, true);
      span.end(error);
      throw error;
    }
  }
}

/** Stands in for an error when a tool answered one without throwing (`error.type` = `tool_error`). */
class ToolError extends Error {
  constructor() {
    super('the tool answered an error');
    this.name = 'tool_error';
  }
}
