import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Clock, derivedId, HubError, isStorableJson, newId, systemClock, UNSTORABLE_TEXT_MESSAGE } from '../core/index.js';
import { type Database, type RunRecord, type TriggeredWorkflowRecord, WorkflowTriggersRepository } from '../storage/index.js';
import type { WorkflowDocument, WorkflowEventName } from './document.js';
import { render } from './expressions.js';
import {
  type ScheduledWorkflow,
  scheduledRunId,
  WorkflowScheduler,
  type WorkflowSchedulerLogger,
  type WorkflowSchedulerOptions,
} from './schedules.js';
import type { WorkflowRunService } from './workflow-run-service.js';

/** How far a signed webhook call's timestamp may be from the hub's clock (a replayed request is older). */
export const WEBHOOK_TOLERANCE_S = 300;
export const SIGNATURE_HEADER = 'x-tokenhub-signature';
export const TIMESTAMP_HEADER = 'x-tokenhub-timestamp';

/** The id of a run an event or a webhook call started: the same event (or request) starts one run however often it arrives. */
export function triggeredRunId(...parts: string[]): string {
  return derivedId('run', `triggered-run:${JSON.stringify(parts)}`);
}

/** The signature a webhook call carries: `sha256=` and the hex HMAC-SHA256 of `<timestamp>.<raw body>` under the hook's secret. */
export function webhookSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

const documentOf = (record: TriggeredWorkflowRecord): WorkflowDocument => record.document as unknown as WorkflowDocument;

/**
 * What starts workflow runs besides the API: schedules (every replica's scheduler; a slot's run id is the same on
 * all of them, so it runs once), events of the hub (an agent run completed, an inbox task resolved), and signed
 * webhooks. Triggered runs bill the tenant key that last saved or activated the workflow.
 */
export class WorkflowTriggerService {
  private readonly repository: WorkflowTriggersRepository;
  private readonly runs: WorkflowRunService;
  private readonly clock: Clock;
  private readonly logger: WorkflowSchedulerLogger;
  readonly scheduler: WorkflowScheduler;

  constructor(options: {
    db: Database;
    runs: WorkflowRunService;
    logger: WorkflowSchedulerLogger;
    clock?: Clock;
    schedules?: WorkflowSchedulerOptions;
  }) {
    this.repository = new WorkflowTriggersRepository(options.db);
    this.runs = options.runs;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.scheduler = new WorkflowScheduler(
      {
        listScheduled: async () =>
          (await this.repository.scheduled()).map(
            (record): ScheduledWorkflow => ({
              tenantId: record.tenantId,
              workflow: record.name,
              version: record.version,
              keyId: record.keyId,
              schedules: documentOf(record).spec.triggers?.schedules ?? [],
            }),
          ),
        fire: async (firing) => {
          await this.runs.start({
            id: scheduledRunId(firing.tenantId, firing.workflow, firing.scheduleIndex, firing.fireAt),
            tenantId: firing.tenantId,
            keyId: firing.keyId,
            workflow: firing.workflow,
            version: firing.version,
            input: firing.input,
            trigger: 'schedule',
            metadata: { scheduled_for: firing.fireAt.toISOString() },
          });
        },
        clock: this.clock,
        logger: options.logger,
      },
      options.schedules,
    );
  }

  start(): void {
    this.scheduler.start();
  }

  /** Stops the scheduler, after a tick in flight has ended. */
  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /** The key a workflow's triggered runs bill: the tenant key that saved or activated it. */
  async keySaved(tenantId: string, workflow: string, keyId: string): Promise<void> {
    await this.repository.setKey(tenantId, workflow, keyId);
  }

  /** An agent run that is no workflow's child settled; workflows listening for it start. */
  async agentRunSettled(run: RunRecord, status: string): Promise<void> {
    if (status !== 'completed' || run.parentRunId !== null) return;
    await this.onEvent(
      run.tenantId,
      'agent_run.completed',
      `run:${run.id}`,
      { agent: run.subject },
      {
        run_id: run.id,
        agent: run.subject,
        status,
        output: run.output,
        thread_id: run.threadId,
      },
    );
  }

  /** An inbox task was resolved; workflows listening for it start. */
  async taskResolved(task: {
    id: string;
    tenantId: string;
    queue: string;
    kind: string;
    runId: string | null;
    resolution?: string | null;
  }): Promise<void> {
    await this.onEvent(
      task.tenantId,
      'inbox_task.resolved',
      `task:${task.id}`,
      { queue: task.queue },
      {
        task_id: task.id,
        queue: task.queue,
        kind: task.kind,
        run_id: task.runId,
        resolution: task.resolution ?? null,
      },
    );
  }

  private async onEvent(
    tenantId: string,
    name: WorkflowEventName,
    eventId: string,
    filter: { agent?: string; queue?: string },
    event: Record<string, unknown>,
  ): Promise<void> {
    for (const record of await this.repository.withEvents(tenantId)) {
      const triggers = documentOf(record).spec.triggers?.events ?? [];
      for (const [index, trigger] of triggers.entries()) {
        if (trigger.on !== name) continue;
        if (trigger.on === 'agent_run.completed' && trigger.agent && trigger.agent !== filter.agent) continue;
        if (trigger.on === 'inbox_task.resolved' && trigger.queue && trigger.queue !== filter.queue) continue;
        if (!record.keyId) {
          this.logger.warn({ tenantId, workflow: record.name }, 'workflow event trigger skipped: no tenant key saved the workflow');
          continue;
        }
        try {
          await this.runs.start({
            id: triggeredRunId('event', tenantId, record.name, String(index), eventId),
            tenantId,
            keyId: record.keyId,
            workflow: record.name,
            version: record.version,
            input: render(trigger.input, { event }),
            trigger: 'event',
            metadata: { event: name, event_id: eventId },
          });
        } catch (error) {
          this.logger.warn({ err: error, tenantId, workflow: record.name }, 'workflow event trigger could not start a run');
        }
      }
    }
  }

  /** Makes (or remakes) a workflow's signed webhook, billed to the key that made it; the secret is shown this once. */
  async createHook(tenantId: string, workflow: string, keyId: string): Promise<{ id: string; secret: string }> {
    const hook = {
      id: newId('whk', 24),
      tenantId,
      workflow,
      secret: `whsec_${randomBytes(24).toString('base64url')}`,
      createdAt: new Date(this.clock.now()),
    };
    if (!(await this.repository.replaceHook(hook))) {
      throw new HubError('NOT_FOUND', `No workflow \`${workflow}\`.`, { code: 'workflow_not_found' });
    }
    await this.repository.setKey(tenantId, workflow, keyId);
    return { id: hook.id, secret: hook.secret };
  }

  /**
   * A webhook call: its signature over `<timestamp>.<body>` must match, with a timestamp within five minutes; the
   * body (JSON) is the run's input. An `Idempotency-Key` makes a repeated call the same run.
   */
  async fireHook(id: string, call: { body: Buffer; signature?: string; timestamp?: string; idempotencyKey?: string }): Promise<RunRecord> {
    const refused = new HubError('UNAUTHENTICATED', 'Invalid webhook signature.', { code: 'invalid_signature' });
    const hook = await this.repository.hook(id);
    if (!hook || !call.signature || !call.timestamp || !/^\d{1,12}$/.test(call.timestamp)) throw refused;
    if (Math.abs(this.clock.now() / 1_000 - Number(call.timestamp)) > WEBHOOK_TOLERANCE_S) {
      throw new HubError('UNAUTHENTICATED', `Invalid ${TIMESTAMP_HEADER}: more than ${WEBHOOK_TOLERANCE_S} s from the hub's clock.`, {
        code: 'stale_timestamp',
      });
    }
    const expected = Buffer.from(webhookSignature(hook.secret, call.timestamp, call.body));
    const given = Buffer.from(call.signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refused;
    let input: unknown = {};
    if (call.body.length > 0) {
      try {
        input = JSON.parse(call.body.toString('utf8'));
      } catch {
        throw new HubError('INVALID_REQUEST', "Invalid body: a webhook call sends JSON (the run's input).", { param: 'body' });
      }
      if (!isStorableJson(input))
        throw new HubError('INVALID_REQUEST', `Invalid body: its strings ${UNSTORABLE_TEXT_MESSAGE}.`, { param: 'body' });
    }
    const record = await this.repository.active(hook.tenantId, hook.workflow);
    if (!record?.keyId) throw new HubError('NOT_FOUND', `No workflow \`${hook.workflow}\`.`, { code: 'workflow_not_found' });
    return this.runs.start({
      ...(call.idempotencyKey ? { id: triggeredRunId('webhook', hook.id, call.idempotencyKey) } : {}),
      tenantId: hook.tenantId,
      keyId: record.keyId,
      workflow: hook.workflow,
      input,
      trigger: 'webhook',
    });
  }
}
