import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { LabelChildren } from './label-children.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface RequestObservation {
  surface: string;
  model: string;
  provider: string;
  status: number;
  stream: boolean;
  latencyMs: number;
  ttfbMs?: number;
  errorCode?: string;
}

export interface SpendObservation {
  tenant: string;
  model: string;
  provider: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** Cost as a decimal USD string (exact); exported as a float since Prometheus has no other kind. */
  costUsd: string;
  /** Why the upstream's usage was not billed as reported, if it was not. */
  usageAnomaly?: string;
}

/** One effect of an agent run that really ran (a replayed one is not observed again). */
export interface AgentStepObservation {
  /** `model` or `tool`. */
  kind: string;
  /** `finished` or `failed` (the step threw: an upstream error, a refused budget, a tool that crashed). */
  status: 'finished' | 'failed';
}

export interface ToolCallObservation {
  /** `builtin`, `http`, `mcp` (the definition's type: bounded, never the tool's name). */
  type: string;
  seconds: number;
  /** The call threw or the tool answered an error. */
  failed: boolean;
}

const TOOL_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Prometheus metrics of one hub process (`GET /metrics`). Label values are bounded by config and tenants. */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'surface' | 'model' | 'provider' | 'status'>;
  private readonly duration: Histogram<'surface' | 'model' | 'stream'>;
  private readonly ttfb: Histogram<'surface' | 'model'>;
  private readonly tokens: Counter<'tenant' | 'model' | 'provider' | 'kind'>;
  private readonly cost: Counter<'tenant' | 'model' | 'provider'>;
  private readonly upstreamErrors: Counter<'provider' | 'code'>;
  private readonly refusals: Counter<'reason'>;
  private readonly usageAnomalies: Counter<'provider' | 'anomaly'>;
  private readonly agentRuns: Counter<'status'>;
  private readonly agentSteps: Counter<'kind' | 'status'>;
  private readonly toolDuration: Histogram<'type'>;
  private readonly toolErrors: Counter<'type'>;
  private readonly agentRunCost: Counter<'tenant'>;
  private readonly eventLoopDelay = monitorEventLoopDelay({ resolution: 10 });
  private readonly requestsBy: LabelChildren<{ inc(value?: number): void }>;
  private readonly durationBy: LabelChildren<{ observe(value: number): void }>;
  private readonly ttfbBy: LabelChildren<{ observe(value: number): void }>;
  private readonly tokensBy: LabelChildren<{ inc(value?: number): void }>;
  private readonly costBy: LabelChildren<{ inc(value?: number): void }>;

  constructor(
    sources: {
      breakerStates?: () => Record<string, string>;
      journalLag?: () => number;
      /** Usage records the ledger refused for good (kept in the quarantine file). */
      ledgerQuarantined?: () => number;
      /** Ids of stored providers that cannot be served (e.g. a secret that does not open). */
      unavailableProviders?: () => readonly string[];
    } = {},
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'tokenhub_process_' });
    this.requests = new Counter({
      name: 'tokenhub_requests_total',
      help: 'Requests by surface, model served, provider and HTTP status (499: client left).',
      labelNames: ['surface', 'model', 'provider', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'tokenhub_request_duration_seconds',
      help: 'Whole request time, stream included.',
      labelNames: ['surface', 'model', 'stream'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ttfb = new Histogram({
      name: 'tokenhub_ttfb_seconds',
      help: 'Time to the first streamed byte.',
      labelNames: ['surface', 'model'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: 'tokenhub_tokens_total',
      help: 'Tokens metered, by kind (input, output, cached_input).',
      labelNames: ['tenant', 'model', 'provider', 'kind'],
      registers,
    });
    this.cost = new Counter({
      name: 'tokenhub_cost_usd_total',
      help: 'Cost metered in USD (the ledger holds the exact amounts).',
      labelNames: ['tenant', 'model', 'provider'],
      registers,
    });
    this.requestsBy = new LabelChildren((...values) => this.requests.labels(...values));
    this.durationBy = new LabelChildren((...values) => this.duration.labels(...values));
    this.ttfbBy = new LabelChildren((...values) => this.ttfb.labels(...values));
    this.tokensBy = new LabelChildren((...values) => this.tokens.labels(...values));
    this.costBy = new LabelChildren((...values) => this.cost.labels(...values));
    this.upstreamErrors = new Counter({
      name: 'tokenhub_upstream_errors_total',
      help: 'Requests that ended with an upstream error, by provider and error code.',
      labelNames: ['provider', 'code'],
      registers,
    });
    this.refusals = new Counter({
      name: 'tokenhub_admission_refusals_total',
      help: 'Requests refused at admission: budget, rate_limit, forbidden, unavailable.',
      labelNames: ['reason'],
      registers,
    });
    this.usageAnomalies = new Counter({
      name: 'tokenhub_upstream_usage_anomalies_total',
      help: 'Answers whose upstream usage was not billed as reported: invalid_upstream_usage (counted with the tokenizer), sub_count_exceeds_total, output_exceeds_max_tokens (billed at the cap).',
      labelNames: ['provider', 'anomaly'],
      registers,
    });
    // Agent names are chosen by tenants (unbounded), so no metric is labelled by agent: the ledger has that split.
    this.agentRuns = new Counter({
      name: 'tokenhub_agent_runs_total',
      help: 'Agent runs by the status an attempt left them in: completed, failed, cancelled, budget_exceeded, max_turns, or paused (waiting_approval, handed_off, needs_attention). A run that pauses and then finishes counts under both.',
      labelNames: ['status'],
      registers,
    });
    this.agentSteps = new Counter({
      name: 'tokenhub_agent_steps_total',
      help: 'Steps of agent runs that ran (model calls and tool calls; replayed steps are not counted again), by kind and status (finished, failed).',
      labelNames: ['kind', 'status'],
      registers,
    });
    this.toolDuration = new Histogram({
      name: 'tokenhub_agent_tool_duration_seconds',
      help: 'Time of agent tool calls, by tool type (builtin, http, mcp).',
      labelNames: ['type'],
      buckets: TOOL_BUCKETS,
      registers,
    });
    this.toolErrors = new Counter({
      name: 'tokenhub_agent_tool_errors_total',
      help: 'Agent tool calls that failed (threw, or the tool answered an error), by tool type.',
      labelNames: ['type'],
      registers,
    });
    this.agentRunCost = new Counter({
      name: 'tokenhub_agent_run_cost_usd_total',
      help: 'Cost metered in USD for agent runs (model calls with a run on their ledger row), by tenant.',
      labelNames: ['tenant'],
      registers,
    });
    const ledgerQuarantined = sources.ledgerQuarantined;
    new Gauge({
      name: 'tokenhub_ledger_quarantined_entries',
      help: 'Usage records the ledger refused for good, kept in the quarantine file for an operator (alert when above 0).',
      registers,
      collect() {
        this.set(ledgerQuarantined?.() ?? 0);
      },
    });
    const breakerStates = sources.breakerStates;
    new Gauge({
      name: 'tokenhub_breaker_open',
      help: 'Circuit breaker per target: 0 closed, 0.5 half-open, 1 open.',
      labelNames: ['target'],
      registers,
      collect() {
        this.reset();
        for (const [target, state] of Object.entries(breakerStates?.() ?? {})) {
          this.set({ target }, state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0);
        }
      },
    });
    const unavailableProviders = sources.unavailableProviders;
    new Gauge({
      name: 'tokenhub_provider_unavailable',
      help: 'Providers stored through the admin API that this replica cannot serve (1), e.g. a secret sealed under a key it lacks.',
      labelNames: ['provider'],
      registers,
      collect() {
        this.reset();
        for (const provider of unavailableProviders?.() ?? []) this.set({ provider }, 1);
      },
    });
    const journalLag = sources.journalLag;
    new Gauge({
      name: 'tokenhub_journal_lag_entries',
      help: 'Usage records journaled but not yet in the ledger.',
      registers,
      collect() {
        this.set(journalLag?.() ?? 0);
      },
    });
    this.eventLoopDelay.enable();
    const delay = this.eventLoopDelay;
    new Gauge({
      name: 'tokenhub_event_loop_lag_p99_seconds',
      help: 'p99 event-loop delay since the previous scrape.',
      registers,
      collect() {
        this.set(delay.percentile(99) / 1e9);
        delay.reset();
      },
    });
  }

  observeRequest(observation: RequestObservation): void {
    const { surface, model, provider } = observation;
    this.requestsBy.get(surface, model, provider, String(observation.status)).inc();
    this.durationBy.get(surface, model, observation.stream ? 'true' : 'false').observe(observation.latencyMs / 1000);
    if (observation.ttfbMs !== undefined) this.ttfbBy.get(surface, model).observe(observation.ttfbMs / 1000);
    if (observation.errorCode?.startsWith('UPSTREAM_')) this.upstreamErrors.inc({ provider, code: observation.errorCode });
  }

  observeSpend(spend: SpendObservation): void {
    const { tenant, model, provider } = spend;
    this.tokensBy.get(tenant, model, provider, 'input').inc(spend.inputTokens);
    this.tokensBy.get(tenant, model, provider, 'output').inc(spend.outputTokens);
    this.tokensBy.get(tenant, model, provider, 'cached_input').inc(spend.cachedInputTokens);
    this.costBy.get(tenant, model, provider).inc(Number(spend.costUsd));
    if (spend.usageAnomaly) this.usageAnomalies.inc({ provider: spend.provider, anomaly: spend.usageAnomaly });
  }

  observeAgentRun(status: string): void {
    this.agentRuns.inc({ status });
  }

  observeAgentStep(step: AgentStepObservation): void {
    this.agentSteps.inc({ kind: step.kind, status: step.status });
  }

  observeToolCall(call: ToolCallObservation): void {
    this.toolDuration.observe({ type: call.type }, call.seconds);
    if (call.failed) this.toolErrors.inc({ type: call.type });
  }

  observeAgentRunCost(tenant: string, costUsd: string): void {
    this.agentRunCost.inc({ tenant }, Number(costUsd));
  }

  observeRefusal(reason: string): void {
    this.refusals.inc({ reason });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.eventLoopDelay.disable();
  }
}
