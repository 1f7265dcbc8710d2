import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { AgentRuntime, AgentTool, ToolOutcome } from '../../agents/index.js';
import { type Clock, HubError, newId, picosToUsd, systemClock } from '../../core/index.js';
import type { SandboxService } from '../../sandboxes/index.js';
import {
  type AppInstallationRecord,
  AppInstallationsRepository,
  type Database,
  type RunRecord,
  RunsRepository,
  SiteVersionsRepository,
} from '../../storage/index.js';
import type { WorkflowService } from '../../workflows/index.js';
import { checkSite, type SiteCheckReport } from './checks.js';
import { type MissingAnswer, mergeAnswers, OWNER_QUESTIONS_JSON_SCHEMA, readIntake, type SiteIntake } from './intake.js';
import { describeProblems, readEditedPlan, settlePlan } from './plan-edit.js';
import { SITE_PLAN_JSON_SCHEMA, type SolutionDocument, sitePlanSchema } from './solution.js';
import { type SiteToolName, TOOL_SPECS } from './tool-specs.js';

export const SITE_BUILDER_APP = 'site-builder';
/** The registry name of a site-builder tool (app tool names are global). */
export const siteToolRef = (tool: string): string => `site-builder-${tool}`;

const INSTRUCTIONS = `You build small static websites from an approved plan. Write every file with write_file: one HTML page
per page of the plan (index.html first; a second language under its own folder, such as zh/index.html), one
stylesheet (site.css), and images only as SVG you write yourself. Every page: <!DOCTYPE html>, <html lang>, a
<title>, <meta name="description">, a viewport meta, alt text on every image, landmarks (header, main, footer),
good colour contrast, responsive CSS. Never any <script>, external URL, web font or inline style attribute.
When a round lists problems from the checks, fix every one and write the files again. Finish with one sentence.`;

/** The builder agent's own tools; the others are the workflow's steps. */
const AGENT_TOOLS: SiteToolName[] = ['write_file', 'list_files', 'site_check'];

export interface SiteBuilderInstallRequest {
  tenantId: string;
  model: string;
  /** The installation's name, unique per tenant (default `site-builder`); it names the agent and the workflow. */
  name?: string;
}

export interface SiteBuilderInstallation {
  installation: AppInstallationRecord;
  agent: string;
  workflow: string;
}

/** The owner's decision on a build's plan (`POST /v1/apps/site-builder/runs/{run}/approval`). */
export interface PlanDecision {
  decision: 'approve' | 'reject';
  reason?: string;
  /** Changes for the builder to make to the plan, in words. */
  changes?: string;
  /** An edited plan (the plan step's schema) replacing the drafted one. */
  plan?: unknown;
}

const pendingApprovalsSchema = z.object({
  pending_approvals: z.array(z.object({ call_id: z.string(), tool: z.string() })).optional(),
});

/** What a build spent, as the owner is shown it. */
export interface SiteBuildCostView {
  run_id: string;
  input_tokens: number;
  output_tokens: number;
  model_calls: number;
  sandbox_cpu_ms: number;
  sandbox_calls: number;
  cost_usd: string;
}

/** The shipped workflow document, next to this module (the build copies it into dist: scripts/copy-build-assets.js). */
function workflowTemplate(): Record<string, unknown> {
  const file = join(dirname(fileURLToPath(import.meta.url)), 'workflow.yaml');
  return parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

type Step = Record<string, unknown> & { steps?: Step[] };

/** The JSON Schema each llm step of the template answers in, by step id. */
const LLM_OUTPUT_SCHEMAS: Record<string, Record<string, unknown>> = { ask: OWNER_QUESTIONS_JSON_SCHEMA, plan: SITE_PLAN_JSON_SCHEMA };

/** The template under the installation's name and model: the workflow's name, its agent step's agent, its llm steps' model and schema. */
export function siteBuilderWorkflow(name: string, model: string): Record<string, unknown> {
  const document = workflowTemplate();
  (document.metadata as Record<string, unknown>).name = name;
  const visit = (steps: Step[]) => {
    for (const step of steps) {
      if (step.kind === 'agent') step.agent = name;
      if (step.kind === 'llm') {
        step.model = model;
        step.output_schema = LLM_OUTPUT_SCHEMAS[String(step.id)];
      }
      if (step.steps) visit(step.steps);
    }
  };
  visit((document.spec as { steps: Step[] }).steps);
  return document;
}

/** The sandbox holding a build's draft files: one per workflow run, its id derived from the run so a resumed run finds it. */
export const draftSandboxId = (workflowRunId: string): string =>
  `sbx_site_${createHash('sha256').update(workflowRunId).digest('hex').slice(0, 24)}`;

const ENDED = new Set(['completed', 'failed', 'cancelled', 'budget_exceeded']);

const json = (value: unknown): ToolOutcome => ({ type: 'result', content: JSON.stringify(value) });

/**
 * The site-builder app on the agent runtime: installs a builder agent and the `site-builder` workflow for a
 * tenant, and serves the tools both use. A build's files are written into a `files` sandbox of its workflow
 * run, checked there, and published into `site_versions`, which the hub serves at `/sites/{tenant}/{slug}/`.
 */
export class SiteBuilderApp {
  private readonly db: Database;
  private readonly runtime: AgentRuntime;
  private readonly workflows: WorkflowService;
  private readonly sandboxes: SandboxService;
  private readonly chromium: string | false;
  private readonly clock: Clock;
  private readonly installations: AppInstallationsRepository;
  private readonly drafts = new Map<string, Promise<string>>();

  constructor(options: {
    db: Database;
    runtime: AgentRuntime;
    workflows: WorkflowService;
    sandboxes: SandboxService;
    /** Chromium for the axe-core check (`apps.site_builder.chromium`); `false`: the check reports itself not run. */
    chromium: string | false;
    clock?: Clock;
  }) {
    this.db = options.db;
    this.runtime = options.runtime;
    this.workflows = options.workflows;
    this.sandboxes = options.sandboxes;
    this.chromium = options.chromium;
    this.clock = options.clock ?? systemClock;
    this.installations = new AppInstallationsRepository(options.db);
    for (const name of Object.keys(TOOL_SPECS) as SiteToolName[]) {
      options.runtime.appTools.register(siteToolRef(name), (context) => this.toolFor(name, context));
    }
    // A build that ended without publishing (rejected plans make none; failed, cancelled, over budget) leaves no draft behind.
    options.runtime.onRunSettled((run, status) => {
      if (run.kind === 'workflow' && ENDED.has(status)) void this.discardDraft(run.tenantId, run.id);
    });
  }

  async install(request: SiteBuilderInstallRequest): Promise<SiteBuilderInstallation> {
    const name = request.name ?? SITE_BUILDER_APP;
    const id = newId('ins');
    await this.runtime.agents.create(request.tenantId, {
      name,
      model: request.model,
      instructions: INSTRUCTIONS,
      tools: AGENT_TOOLS.map((tool) => ({ type: 'app', name: siteToolRef(tool), idempotent: TOOL_SPECS[tool].idempotent })),
      limits: { max_turns: 30, max_tool_calls: 60, timeout_s: 600 },
      metadata: { app: SITE_BUILDER_APP, installation: id },
    });
    const undo = async () => {
      await this.workflows.delete(request.tenantId, name).catch(() => {});
      await this.runtime.agents.delete(request.tenantId, name).catch(() => {});
    };
    try {
      await this.workflows.apply(request.tenantId, siteBuilderWorkflow(name, request.model));
    } catch (error) {
      await undo();
      throw error;
    }
    const installation = await this.installations.create(
      {
        id,
        tenantId: request.tenantId,
        app: SITE_BUILDER_APP,
        name,
        agent: name,
        keyId: null,
        config: { model: request.model, workflow: name },
      },
      this.now(),
    );
    if (!installation) {
      await undo();
      throw new HubError('CONFLICT', `The site-builder app is installed as \`${name}\` already.`, { code: 'app_installed', param: 'name' });
    }
    return { installation, agent: name, workflow: name };
  }

  list(tenantId?: string): Promise<AppInstallationRecord[]> {
    return this.installations.list({ app: SITE_BUILDER_APP, ...(tenantId ? { tenantId } : {}) });
  }

  sites(tenantId: string): SiteVersionsRepository {
    return new SiteVersionsRepository(this.db, tenantId);
  }

  /** Tokens and sandbox time a build (a workflow run of the app) spent, from the ledger. */
  async buildCost(tenantId: string, runId: string): Promise<SiteBuildCostView> {
    await this.buildRun(tenantId, runId);
    const cost = await this.sites(tenantId).buildCost(runId, [draftSandboxId(runId)]);
    return {
      run_id: runId,
      input_tokens: cost.inputTokens,
      output_tokens: cost.outputTokens,
      model_calls: cost.modelCalls,
      sandbox_cpu_ms: cost.sandboxCpuMs,
      sandbox_calls: cost.sandboxCalls,
      cost_usd: picosToUsd(cost.costPicos),
    };
  }

  /**
   * The owner's decision on a build's plan: approve it (as drafted, with changes to make, or with an edited plan
   * that replaces the drafted one) or reject it. An edited plan is checked before anything is decided: an invalid
   * one is refused (`400 invalid_plan`, naming the place) and the approval stays open.
   */
  async decidePlan(tenantId: string, runId: string, decision: PlanDecision, by: string): Promise<RunRecord> {
    const run = await this.buildRun(tenantId, runId);
    const pending = pendingApprovalsSchema.safeParse(run.state).data?.pending_approvals?.find((call) => call.tool === 'human:approve');
    if (run.status !== 'waiting_approval' || !pending) {
      throw new HubError('CONFLICT', `Run \`${runId}\` is not waiting for the owner's approval of its plan.`, { code: 'run_not_waiting' });
    }
    let plan = '';
    if (decision.plan !== undefined) {
      if (decision.decision === 'reject')
        throw new HubError('INVALID_REQUEST', 'Invalid plan: a rejection carries no plan.', { code: 'invalid_plan', param: 'plan' });
      const read = readEditedPlan(decision.plan);
      if (!read.ok) {
        const first = read.problems[0];
        const param = first && first.path !== '(plan)' ? `plan.${first.path}` : 'plan';
        throw new HubError('INVALID_REQUEST', `Invalid ${param}: ${describeProblems(read.problems)}`, { code: 'invalid_plan', param });
      }
      plan = JSON.stringify(read.plan);
    }
    return this.runtime.runs.decide(tenantId, runId, {
      callId: pending.call_id,
      decision: decision.decision,
      ...(decision.reason ? { reason: decision.reason } : {}),
      ...(decision.decision === 'approve' ? { values: { changes: decision.changes ?? '', plan } } : {}),
      by,
    });
  }

  /** A workflow run of an installation of the app, or a 404. */
  private async buildRun(tenantId: string, runId: string): Promise<RunRecord> {
    const run = await new RunsRepository(this.db, tenantId).get(runId);
    if (run?.kind !== 'workflow' || !(await this.installations.byAgent(tenantId, SITE_BUILDER_APP, run.subject))) {
      throw new HubError('NOT_FOUND', `No site-builder run \`${runId}\`.`, { code: 'run_not_found' });
    }
    return run;
  }

  /** The workflow run a call belongs to: the run itself (a tool step), or the workflow that started it (the builder agent). */
  private async workflowRunOf(tenantId: string, runId: string): Promise<RunRecord | undefined> {
    const runs = new RunsRepository(this.db, tenantId);
    let run = await runs.get(runId);
    for (let depth = 0; run && run.kind !== 'workflow' && run.parentRunId && depth < 8; depth++) run = await runs.get(run.parentRunId);
    return run?.kind === 'workflow' ? run : undefined;
  }

  /** The build's draft sandbox, made on first use; parallel tool calls of one round share one creation. */
  private draft(workflowRun: RunRecord): Promise<string> {
    const id = draftSandboxId(workflowRun.id);
    let made = this.drafts.get(id);
    if (!made) {
      const keyId = typeof workflowRun.input.key_id === 'string' ? workflowRun.input.key_id : '';
      made = this.sandboxes
        .create({ tenantId: workflowRun.tenantId, keyId }, { id, template: 'files', runId: workflowRun.id })
        .catch(async (error: unknown) => {
          // Made meanwhile by another replica: the primary key refused the second insert.
          if (await this.sandboxes.get(workflowRun.tenantId, id).catch(() => undefined)) return;
          throw error;
        })
        .then(() => id)
        .finally(() => this.drafts.delete(id));
      this.drafts.set(id, made);
    }
    return made;
  }

  private async draftFiles(workflowRun: RunRecord): Promise<Record<string, string>> {
    const id = await this.draft(workflowRun);
    const files: Record<string, string> = {};
    for (const file of await this.sandboxes.listFiles(workflowRun.tenantId, id)) {
      files[file.path] = Buffer.from((await this.sandboxes.readFile(workflowRun.tenantId, id, file.path)).content).toString('utf8');
    }
    return files;
  }

  private check(files: Record<string, string>): Promise<SiteCheckReport> {
    return checkSite(files, { chromium: this.chromium });
  }

  private async toolFor(name: SiteToolName, context: { tenantId: string; runId: string }): Promise<AgentTool> {
    const spec = TOOL_SPECS[name];
    const workflowRun = await this.workflowRunOf(context.tenantId, context.runId);
    const installation = workflowRun
      ? await this.installations.byAgent(context.tenantId, SITE_BUILDER_APP, workflowRun.subject)
      : undefined;
    return {
      spec: { name, description: spec.description, parameters: spec.parameters as unknown as AgentTool['spec']['parameters'] },
      approval: 'never',
      idempotent: spec.idempotent,
      invoke: async (args): Promise<ToolOutcome> => {
        if (!workflowRun || !installation)
          return { type: 'error', message: 'This run is not a build of an installation of the site-builder app.' };
        try {
          return await this.invoke(name, args, workflowRun);
        } catch (error) {
          if (error instanceof HubError) return { type: 'error', message: error.message };
          throw error;
        }
      },
    };
  }

  private async invoke(name: SiteToolName, args: Record<string, unknown>, workflowRun: RunRecord): Promise<ToolOutcome> {
    switch (name) {
      case 'site_intake': {
        const outcome = readIntake(args.form);
        if (!outcome.ok)
          return {
            type: 'error',
            message: `The intake form is incomplete: ${outcome.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
          };
        return json({ intake: outcome.intake, missing: outcome.missing });
      }
      case 'site_answers': {
        const intake = readIntake(args.intake);
        if (!intake.ok) return { type: 'error', message: 'The intake passed on is not valid.' };
        const answers: Partial<Record<MissingAnswer['field'], unknown>> = {
          offering: args.offering,
          location: args.location,
          contact: args.contact,
        };
        return json(mergeAnswers(intake.intake satisfies SiteIntake, answers));
      }
      case 'site_plan':
        return json(settlePlan(args.drafted, args.approval as { approved?: unknown; values?: unknown } | null));
      case 'write_file': {
        const id = await this.draft(workflowRun);
        const content = String(args.content);
        const written = await this.sandboxes.writeFile(workflowRun.tenantId, id, String(args.path), Buffer.from(content, 'utf8'));
        return json({ path: written.path, size: written.size });
      }
      case 'list_files': {
        const id = await this.draft(workflowRun);
        return json((await this.sandboxes.listFiles(workflowRun.tenantId, id)).map((file) => ({ path: file.path, size: file.size })));
      }
      case 'site_check': {
        const report = await this.check(await this.draftFiles(workflowRun));
        return json(report);
      }
      case 'site_publish': {
        const files = await this.draftFiles(workflowRun);
        // Checked again here, so nothing that failed a check is ever published, whatever the document says.
        const report = await this.check(files);
        if (!report.ok) return { type: 'error', message: `The site fails its checks and was not published:\n${report.summary}` };
        const solution = sitePlanSchema.shape.solution.safeParse(args.solution);
        if (!solution.success) return { type: 'error', message: 'The solution document is not valid.' };
        const slug = String(args.slug);
        const published = await this.sites(workflowRun.tenantId).publish(
          slug,
          {
            files,
            runId: workflowRun.id,
            solution: {
              ...(solution.data satisfies SolutionDocument),
              business: String(args.business_name),
              language: String(args.language ?? 'en'),
            },
          },
          this.now(),
        );
        await this.sandboxes.delete(workflowRun.tenantId, draftSandboxId(workflowRun.id), 'published').catch(() => {});
        return json({
          slug,
          version: published.version,
          url: `/sites/${workflowRun.tenantId}/${slug}/`,
          solution_url: `/sites/${workflowRun.tenantId}/${slug}/_solution.html`,
          checks: report.checks.map((check) => ({ check: check.check, status: check.status, ...(check.note ? { note: check.note } : {}) })),
        });
      }
    }
  }

  /** Deletes a build's draft sandbox if it has one still live (its storage is billed to the end). Never throws. */
  private async discardDraft(tenantId: string, workflowRunId: string): Promise<void> {
    const id = draftSandboxId(workflowRunId);
    try {
      const draft = await this.sandboxes.get(tenantId, id).catch(() => undefined);
      if (draft?.status === 'live') await this.sandboxes.delete(tenantId, id, 'run_ended');
    } catch {
      // Deleted meanwhile (the publish step, another replica); an undeleted one expires by its timeout.
    }
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
