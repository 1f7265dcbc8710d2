import { type AgentRuntime, isSettledStatus } from '../agents/index.js';
import { type Clock, HubError, newId, systemClock } from '../core/index.js';
import {
  type Database,
  FINAL_RUN_STATUSES,
  type RunPageFilter,
  type RunRecord,
  RunStepsRepository,
  type RunSummaryRecord,
  RunsRepository,
  runCallUsage,
  runPage,
  runUsage,
  unfinishedChildRuns,
  wakeDueRuns,
  wakeSettledParents,
  wakeWaitingRun,
} from '../storage/index.js';
import { WORKFLOW_RUN_KIND } from './run/child-steps.js';
import { schemaProblem } from './run/json-check.js';
import { loadWorkflowRunState } from './run/run-input.js';
import { type WorkflowRunDto, workflowRunDto } from './workflow-run-dto.js';
import type { WorkflowService } from './workflow-service.js';

export interface StartWorkflowRun {
  tenantId: string;
  keyId: string;
  workflow: string;
  input: unknown;
  version?: number;
  metadata?: Record<string, unknown>;
  /** `api`, `webhook`, `schedule`, `event`. */
  trigger?: string;
  /** A deterministic id (a schedule's firing, an event's run): starting it twice starts one run. */
  id?: string;
}

const notFound = (id: string): HubError => new HubError('NOT_FOUND', `No workflow run \`${id}\`.`, { code: 'run_not_found' });

/** Starting, reading, following and cancelling workflow runs, for one tenant at a time; and waking runs whose wait ended. */
export class WorkflowRunService {
  private readonly db: Database;
  private readonly runtime: AgentRuntime;
  private readonly workflows: WorkflowService;
  private readonly flushLedger: () => Promise<void>;
  private readonly clock: Clock;

  constructor(options: {
    db: Database;
    runtime: AgentRuntime;
    workflows: WorkflowService;
    flushLedger: () => Promise<void>;
    clock?: Clock;
  }) {
    this.db = options.db;
    this.runtime = options.runtime;
    this.workflows = options.workflows;
    this.flushLedger = options.flushLedger;
    this.clock = options.clock ?? systemClock;
  }

  async start(request: StartWorkflowRun): Promise<RunRecord> {
    const resolved = await this.workflows.resolve(request.tenantId, request.workflow, request.version);
    const input = request.input ?? {};
    const problem = resolved.document.spec.inputs ? schemaProblem(resolved.document.spec.inputs, input) : undefined;
    if (problem) {
      throw new HubError('INVALID_REQUEST', `Invalid input: it does not match the inputs of workflow \`${resolved.name}\`: ${problem}`, {
        param: 'input',
        code: 'invalid_input',
      });
    }
    return this.runtime.engine.enqueue({
      id: request.id ?? newId('run'),
      tenantId: request.tenantId,
      kind: WORKFLOW_RUN_KIND,
      subject: resolved.name,
      version: resolved.version,
      threadId: null,
      input: { v: 1, key_id: request.keyId, input, ancestor_budgets: [], trigger: request.trigger ?? 'api' },
      state: { v: 1 },
      metadata: request.metadata ?? {},
    });
  }

  async get(tenantId: string, id: string): Promise<RunRecord> {
    const run = await new RunsRepository(this.db, tenantId).get(id);
    if (!run || run.kind !== WORKFLOW_RUN_KIND) throw notFound(id);
    return run;
  }

  /** The run as the API shows it, with its steps; a settled run's usage first flushes this hub's pending ledger rows. */
  async view(run: RunRecord): Promise<WorkflowRunDto> {
    if (isSettledStatus(run.status)) await this.flushLedger();
    const [usage, steps, callUsage] = await Promise.all([
      runUsage(this.db, run.tenantId, run.id),
      new RunStepsRepository(this.db).forRun(run.id),
      runCallUsage(this.db, run.tenantId, run.id),
    ]);
    // An agent or sub-workflow step costs what its child run (and the children's children) cost.
    const children = new Map<string, Awaited<ReturnType<typeof runUsage>>>();
    await Promise.all(
      steps.flatMap((step) => {
        const childId = typeof step.input?.run_id === 'string' ? step.input.run_id : undefined;
        return childId ? [runUsage(this.db, run.tenantId, childId).then((spent) => children.set(childId, spent))] : [];
      }),
    );
    return workflowRunDto(run, loadWorkflowRunState(run.state), usage, steps, callUsage, children);
  }

  async list(tenantId: string, filter: Omit<RunPageFilter, 'kind'>): Promise<{ runs: RunSummaryRecord[]; hasMore: boolean }> {
    const found = await runPage(this.db, tenantId, { ...filter, kind: WORKFLOW_RUN_KIND, limit: filter.limit + 1 });
    if (!found) throw new HubError('INVALID_REQUEST', 'Invalid cursor: it names no run of this tenant.', { param: 'cursor' });
    return { runs: found.slice(0, filter.limit), hasMore: found.length > filter.limit };
  }

  settled(tenantId: string, id: string, signal?: AbortSignal): Promise<RunRecord> {
    return this.runtime.runs.settled(tenantId, id, signal);
  }

  /** Cancels the run and, depth first, every run it started that has not ended (its agent steps, sub-workflows). */
  async cancel(tenantId: string, id: string): Promise<RunRecord> {
    await this.get(tenantId, id);
    const cancelled = await this.runtime.runs.cancel(tenantId, id);
    await this.cancelChildren(tenantId, id);
    return cancelled;
  }

  private async cancelChildren(tenantId: string, id: string): Promise<void> {
    for (const child of await unfinishedChildRuns(this.db, tenantId, id)) {
      await this.runtime.runs.cancel(tenantId, child);
      await this.cancelChildren(tenantId, child);
    }
  }

  /** Queues the runs whose wait ended (a time came, a person's deadline passed, children settled unseen); how many. */
  async wakeDue(): Promise<number> {
    const now = new Date(this.clock.now());
    const due = await wakeDueRuns(this.db, WORKFLOW_RUN_KIND, now);
    const orphaned = await wakeSettledParents(this.db, WORKFLOW_RUN_KIND, new Date(now.getTime() - 2_000), now);
    if (due.length + orphaned.length > 0) await this.runtime.engine.notify();
    return due.length + orphaned.length;
  }

  /** A child run settled for good: its workflow, if it waits on it, goes on (on any replica). */
  async childSettled(run: RunRecord, status: string): Promise<void> {
    if (!run.parentRunId || !FINAL_RUN_STATUSES.includes(status as RunRecord['status'])) return;
    if (await wakeWaitingRun(this.db, run.parentRunId, new Date(this.clock.now()))) await this.runtime.engine.notify();
  }
}
