import { z } from 'zod';
import { toolDefinitionSchema } from '../agents/index.js';
import {
  isStorableText,
  MAX_BUDGET_USD,
  picosToUsd,
  UNSTORABLE_TEXT_MESSAGE,
  USD_DECIMALS,
  usdAmountProblem,
  usdToPicos,
} from '../core/index.js';
import { cronProblem, timeZoneProblem } from './schedules.js';

/**
 * The workflow document, `apiVersion: tokenhub.dev/v1`, `kind: Workflow`. Steps run in the order they are
 * listed unless a step names its `next`; a `branch` picks the next step by its conditions; `end: true` ends
 * the workflow. Step ids are unique across the whole document (nested bodies included), so any later step
 * reads an earlier one's output as `steps.<id>.output`.
 *
 * Templates: in any string of a step's input, `${{ expression }}` is replaced by the value of a CEL
 * expression; a string that is one template and nothing else takes the expression's value with its type.
 * Conditions (`when`, `until`) are bare CEL expressions.
 */
export const WORKFLOW_API_VERSION = 'tokenhub.dev/v1';
export const WORKFLOW_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const STEP_ID_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;

const text = (max: number) => z.string().max(max).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
const stepId = z.string().regex(STEP_ID_PATTERN, 'must start with a letter: 1–64 letters, digits or _ (it is used in expressions)');
const expression = text(4_000).min(1);
/** A USD amount as a number or a decimal string, stored as the canonical decimal string (`2` → `"2.00"`). */
const usd = z
  .union([z.number(), z.string()])
  .superRefine((value, ctx) => {
    const problem = usdAmountProblem(value, { decimals: USD_DECIMALS, max: MAX_BUDGET_USD });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((value) => picosToUsd(usdToPicos(value)));
/** A JSON Schema, checked when the workflow runs (ajv) and compared between steps when saved. */
const jsonSchema = z.record(z.string(), z.unknown());
/** Any JSON value whose strings may hold templates. */
const templated = z.unknown();

export const retrySchema = z.strictObject({
  /** Attempts in all, the first included. */
  max_attempts: z.number().int().min(1).max(20).default(3),
  /** The wait before the second attempt; each later one waits twice as long (capped at `max_backoff_ms`). */
  backoff_ms: z.number().int().min(0).max(3_600_000).default(1_000),
  max_backoff_ms: z.number().int().min(0).max(3_600_000).default(60_000),
  /** The error codes that are retried (e.g. `upstream_error`, `timeout`, `tool_failed`); absent: every error. */
  on: z.array(z.string().min(1).max(100)).max(50).optional(),
});

const common = {
  id: stepId,
  name: text(200).optional(),
  /** The step that runs after this one (default: the next in the list; none after the last). */
  next: stepId.optional(),
  /** Ends the workflow after this step. */
  end: z.boolean().optional(),
  /** Runs the step only when true; skipped (output null), the workflow goes on. */
  if: expression.optional(),
  retry: retrySchema.optional(),
  /** The most one attempt of an llm, tool, agent or workflow step may take (it fails with `timeout`); a human step's deadline. */
  timeout_s: z.number().int().min(1).max(86_400).optional(),
  /** Safe to repeat after a crash cut it off; otherwise an interrupted step stops the run for a person. */
  idempotent: z.boolean().optional(),
  /** Where to go when the step fails (after its retries): the error is at `steps.<id>.error`. */
  on_error: stepId.optional(),
  /** The JSON Schema of the step's output: checked when it runs; compared with the next step's input when saved. */
  output_schema: jsonSchema.optional(),
};

export const fieldSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/),
  label: text(200).optional(),
  type: z.enum(['string', 'text', 'number', 'integer', 'boolean', 'enum']),
  options: z.array(text(200)).min(1).max(100).optional(),
  required: z.boolean().default(false),
  default: z.unknown().optional(),
});
export type FormField = z.output<typeof fieldSchema>;

/** A nested step as TypeScript sees it through the recursion (the schema checks it in full; read it as a `WorkflowStep`). */
interface NestedStep {
  id: string;
  kind: string;
}
// Steps nest (parallel, map, loop hold bodies): the getters let the schema refer to itself.
const body = (): z.ZodArray<z.ZodType<NestedStep>> =>
  z
    .array(stepSchema as unknown as z.ZodType<NestedStep>)
    .min(1)
    .max(200);

const agentStep = z.strictObject({
  ...common,
  kind: z.literal('agent'),
  agent: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  /** The message the agent run starts with (a template). */
  input: text(100_000).min(1),
  version: z.number().int().min(1).optional(),
});

const llmStep = z.strictObject({
  ...common,
  kind: z.literal('llm'),
  model: text(200).min(1),
  system: text(100_000).optional(),
  prompt: text(100_000).min(1),
  max_tokens: z.number().int().min(1).max(100_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
});

const toolStep = z.strictObject({
  ...common,
  kind: z.literal('tool'),
  /** A tool the agent runtime knows (builtin, http, mcp, app), defined as in an agent's `tools`. */
  tool: toolDefinitionSchema,
  /** For a tool set (mcp, app): which of its tools. */
  function: z.string().min(1).max(128).optional(),
  arguments: z.record(z.string(), templated).default({}),
});

const humanStep = z.strictObject({
  ...common,
  kind: z.literal('human'),
  title: text(500).min(1),
  /** What the person reads (a template). */
  instructions: text(20_000).optional(),
  queue: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,64}$/)
    .default('default'),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
  /** `approval`: approve or reject (output `{approved, comment}`); `form`: fill in `fields`. */
  mode: z.enum(['approval', 'form']).default('approval'),
  fields: z.array(fieldSchema).max(50).optional(),
  /** Nobody answered within the time: go to `on_timeout` (or fail the step with `human_timeout`). */
  on_timeout: stepId.optional(),
});

const branchStep = z.strictObject({
  ...common,
  kind: z.literal('branch'),
  cases: z
    .array(z.strictObject({ when: expression, next: stepId }))
    .min(1)
    .max(50),
  /** Where to go when no case holds (default: the next in the list). */
  default: stepId.optional(),
});

const parallelStep = z.strictObject({
  ...common,
  kind: z.literal('parallel'),
  /** Each branch runs its steps in order; all branches run at once; the step ends when all have. */
  branches: z
    .array(
      z.strictObject({
        name: stepId,
        get steps() {
          return body();
        },
      }),
    )
    .min(1)
    .max(20),
});

const mapStep = z.strictObject({
  ...common,
  kind: z.literal('map'),
  /** An expression giving a list; the body runs once per item, with `item` and `index` set. */
  items: expression,
  concurrency: z.number().int().min(1).max(50).default(4),
  get steps() {
    return body();
  },
});

const loopStep = z.strictObject({
  ...common,
  kind: z.literal('loop'),
  /** Checked after each pass; the loop ends when it holds (`iteration` is the pass just done, from 1). */
  until: expression,
  max_iterations: z.number().int().min(1).max(1_000),
  /** Where to go when `max_iterations` passes ran and `until` never held; absent, the step fails (`loop_exhausted`). */
  exhausted: stepId.optional(),
  get steps() {
    return body();
  },
});

const waitStep = z
  .strictObject({
    ...common,
    kind: z.literal('wait'),
    seconds: z.number().int().min(0).max(31_536_000).optional(),
    /** An expression or ISO time to wait until. */
    until: text(200).optional(),
  })
  .refine((step) => (step.seconds === undefined) !== (step.until === undefined), { message: 'give exactly one of seconds or until' });

const workflowStep = z.strictObject({
  ...common,
  kind: z.literal('workflow'),
  workflow: z.string().regex(WORKFLOW_NAME_PATTERN),
  version: z.number().int().min(1).optional(),
  input: z.record(z.string(), templated).default({}),
});

export const stepSchema: z.ZodDiscriminatedUnion<
  [
    typeof agentStep,
    typeof llmStep,
    typeof toolStep,
    typeof humanStep,
    typeof branchStep,
    typeof parallelStep,
    typeof mapStep,
    typeof loopStep,
    typeof waitStep,
    typeof workflowStep,
  ]
> = z
  .discriminatedUnion('kind', [
    agentStep,
    llmStep,
    toolStep,
    humanStep,
    branchStep,
    parallelStep,
    mapStep,
    loopStep,
    waitStep,
    workflowStep,
  ])
  // The id names the recursive step schema in the published JSON Schema (`$defs.WorkflowStep`).
  .meta({ id: 'WorkflowStep' });

export type WorkflowStep = z.output<typeof stepSchema>;
export type StepKind = WorkflowStep['kind'];
export type AgentStep = z.output<typeof agentStep>;
export type LlmStep = z.output<typeof llmStep>;
export type ToolStep = z.output<typeof toolStep>;
export type HumanStep = z.output<typeof humanStep>;
export type BranchStep = z.output<typeof branchStep>;
export type ParallelStep = z.output<typeof parallelStep>;
export type MapStep = z.output<typeof mapStep>;
export type LoopStep = z.output<typeof loopStep>;
export type WaitStep = z.output<typeof waitStep>;
export type SubWorkflowStep = z.output<typeof workflowStep>;

const scheduleSchema = z.strictObject({
  /** A cron pattern of 5 fields (minute precision) or 6 (a leading seconds field), as croner reads it. */
  cron: z
    .string()
    .min(1)
    .max(200)
    .superRefine((pattern, ctx) => {
      const problem = cronProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /** The IANA time zone the pattern is read in. */
  timezone: z
    .string()
    .min(1)
    .max(100)
    .superRefine((zone, ctx) => {
      const problem = timeZoneProblem(zone);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('UTC'),
  /** The input of each run it starts. */
  input: z.record(z.string(), z.unknown()).default({}),
});

const eventInput = z.record(z.string(), templated).default({});
const eventTriggerSchema = z.discriminatedUnion('on', [
  z.strictObject({
    /** An agent run of this tenant completed; `event` holds the run (`run_id`, `agent`, `output`…). */
    on: z.literal('agent_run.completed'),
    /** Only runs of this agent. */
    agent: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,64}$/)
      .optional(),
    /** The run's input; its templates see the event as `event`. */
    input: eventInput,
  }),
  z.strictObject({
    /** An inbox task of this tenant was resolved; `event` holds the task. */
    on: z.literal('inbox_task.resolved'),
    /** Only tasks of this queue. */
    queue: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{1,64}$/)
      .optional(),
    input: eventInput,
  }),
]);

const triggersSchema = z.strictObject({
  /** Runs started at the times a cron pattern names, once per time across all replicas. */
  schedules: z.array(scheduleSchema).max(20).optional(),
  /** Runs started by events of the tenant's hub. */
  events: z.array(eventTriggerSchema).max(20).optional(),
});

export type ScheduleTrigger = z.output<typeof scheduleSchema>;
export type EventTrigger = z.output<typeof eventTriggerSchema>;
export type WorkflowTriggers = z.output<typeof triggersSchema>;
export type WorkflowEventName = EventTrigger['on'];

export const workflowDocumentSchema = z.strictObject({
  apiVersion: z.literal(WORKFLOW_API_VERSION),
  kind: z.literal('Workflow'),
  metadata: z.strictObject({
    name: z.string().regex(WORKFLOW_NAME_PATTERN, 'must be 1–64 letters, digits, _ or -'),
    description: text(2_000).optional(),
    labels: z.record(z.string().max(64), z.string().max(200)).optional(),
  }),
  spec: z.strictObject({
    /** The JSON Schema of the run's input (checked when a run starts). */
    inputs: jsonSchema.optional(),
    /** The JSON Schema of the run's output. */
    outputs: jsonSchema.optional(),
    /** The run's output (templates); absent, the last step's output. */
    output: templated.optional(),
    /** A hard limit on what one run spends: its model calls, agent steps and sub-workflows together. */
    max_cost_usd: usd.optional(),
    /** What starts runs besides an API call: schedules and events. */
    triggers: triggersSchema.optional(),
    /** The model an agent step's scripted tests and `llm` steps fall back to is never implied: each names its own. */
    steps: body(),
  }),
});

type ParsedDocument = z.output<typeof workflowDocumentSchema>;
export type WorkflowDocument = Omit<ParsedDocument, 'spec'> & { spec: Omit<ParsedDocument['spec'], 'steps'> & { steps: WorkflowStep[] } };
export type WorkflowDocumentInput = z.input<typeof workflowDocumentSchema>;

/** The steps nested directly in a step (bodies of parallel, map, loop), in document order. */
export function childStepsOf(step: WorkflowStep): WorkflowStep[] {
  if (step.kind === 'parallel') return step.branches.flatMap((branch) => bodyOf(branch.steps));
  if (step.kind === 'map' || step.kind === 'loop') return bodyOf(step.steps);
  return [];
}

/** A body's steps, typed as the steps they are. */
export const bodyOf = (steps: readonly NestedStep[]): WorkflowStep[] => steps as WorkflowStep[];

/** Every step of the document, nested ones included, in document order. */
export function allSteps(steps: readonly WorkflowStep[]): WorkflowStep[] {
  return steps.flatMap((step) => [step, ...allSteps(childStepsOf(step))]);
}
