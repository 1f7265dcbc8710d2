/**
 * `tokenhub workflows test FILE --script SCRIPT`: a workflow document run case by case on a hub started in this
 * process (PGlite in a temporary folder, one `scripted` provider serving every model the script file names), so
 * the CI of people who write workflows can assert what each step did without a model or a network.
 *
 * The script file (YAML):
 *
 *   models: [gpt-4o-mini]            # the models the workflow names, all routed to the scripted provider;
 *                                    # an entry may be { name, pricing: { input_per_mtok, output_per_mtok } }
 *   agents:                          # optional: the agents its agent steps name (POST /v1/agents bodies)
 *     - { name: triage, model: gpt-4o-mini, instructions: "You triage." }
 *   script:                          # the scripted provider's steps (when/text/tool_calls/error/repeat…)
 *     - { when: { last_user_message_contains: "Classify" }, text: '{"intent":"refund"}' }
 *   cases:
 *     - name: refund path
 *       input: { message: "refund please" }
 *       script: [...]                # optional: replaces the file's script for this case
 *       decisions:                   # the human steps, answered when the run waits on them: by step key
 *         check: { decision: approve, values: { photos_ok: true } }    # (or by step id; `approve` alone works)
 *       expect:
 *         status: completed          # the default
 *         output: { intent: refund } # partial deep match (objects: the keys given; lists: same length)
 *         error: { code: ... }       # the run's error, likewise
 *         steps:                     # by step key, matched against the step as GET /v1/workflow-runs/{id} shows it
 *           classify: { status: completed, output: { json: { intent: refund } } }
 *
 * The document is applied through the API, so the hub's save-time validation runs and its errors are printed as
 * the hub's. A `wait` step of up to 5 s is waited out; a longer one fails its case (time is not fast-forwarded:
 * the engine's clock is the system's). Exit code: 0 all cases passed, 1 some failed, 2 the files are unusable.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RUN_STATUSES } from '../agents/index.js';
import { createHub, type Hub } from '../app.js';
import { configSchema, pricingSchema, scriptSchema } from '../config/index.js';
import { generateAdminKey } from '../economy/index.js';
import type { WorkflowRunDto } from '../workflows/index.js';

const SCRIPTED_PROVIDER = 'script';
/** A wait the harness sits through; a longer one fails the case. */
export const MAX_WAIT_MS = 5_000;
const CASE_TIMEOUT_MS = 60_000;
const POLL_MS = 100;
const STILL_GOING = new Set(['queued', 'running', 'waiting', 'waiting_approval']);

const decisionSchema = z.union([
  z.enum(['approve', 'reject']).transform((decision) => ({ decision })),
  z.strictObject({
    decision: z.enum(['approve', 'reject']),
    reason: z.string().optional(),
    values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  }),
]);

/** What a case expects of its run; no status given means `completed`. */
export const expectationSchema = z.strictObject({
  status: z.enum(RUN_STATUSES).default('completed'),
  output: z.unknown().optional(),
  error: z.unknown().optional(),
  steps: z.record(z.string(), z.unknown()).optional(),
});

const caseSchema = z.strictObject({
  name: z.string().min(1),
  input: z.unknown().optional(),
  script: scriptSchema.optional(),
  decisions: z.record(z.string(), decisionSchema).default({}),
  expect: expectationSchema.default({ status: 'completed' }),
});

const modelEntry = z.union([z.string().min(1), z.strictObject({ name: z.string().min(1), pricing: pricingSchema.optional() })]);

export const scriptFileSchema = z.strictObject({
  models: z.array(modelEntry).min(1),
  agents: z.array(z.looseObject({ name: z.string().min(1) })).default([]),
  script: scriptSchema.default([]),
  cases: z.array(caseSchema).min(1),
});

export type ScriptFile = z.output<typeof scriptFileSchema>;
type TestCase = ScriptFile['cases'][number];

/** One place where the run differs from what the case expects; `expected` and `got` as they are printed. */
export interface Difference {
  path: string;
  expected: string;
  got: string;
}

export interface CaseResult {
  name: string;
  passed: boolean;
  run_id: string | null;
  status: string | null;
  differences: Difference[];
  /** Why the case could not run to its end (a human step without a decision, a long wait, a refused input). */
  problem?: string;
}

export interface WorkflowTestReport {
  workflow: string;
  version: number;
  passed: number;
  failed: number;
  cases: CaseResult[];
}

export type WorkflowTestOutcome = { exitCode: 0 | 1; report: WorkflowTestReport } | { exitCode: 2; error: string };

const show = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const childPath = (path: string, key: string): string => {
  const part = /^[A-Za-z_][\w-]*$/.test(key) ? key : JSON.stringify(key);
  if (!path) return part;
  return part.startsWith('"') ? `${path}[${part}]` : `${path}.${part}`;
};

/**
 * Partial deep match: an expected object matches an object holding at least its keys (each matching), an expected
 * list a list of the same length (item by item), anything else an equal value. Every difference is listed with its path.
 */
export function partialMatch(expected: unknown, actual: unknown, path = ''): Difference[] {
  const at = path || '(value)';
  if (isObject(expected)) {
    if (!isObject(actual)) return [{ path: at, expected: 'an object', got: show(actual) }];
    return Object.entries(expected).flatMap(([key, value]) => partialMatch(value, actual[key], childPath(path, key)));
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path: at, expected: `a list of ${expected.length}`, got: show(actual) }];
    const length: Difference[] =
      actual.length === expected.length ? [] : [{ path: at, expected: `${expected.length} items`, got: `${actual.length} items` }];
    const items = expected.slice(0, actual.length).flatMap((value, index) => partialMatch(value, actual[index], `${path}[${index}]`));
    return [...length, ...items];
  }
  return expected === actual ? [] : [{ path: at, expected: show(expected), got: show(actual) }];
}

/** What the run did against what the case expects: status, output, error and the steps named. */
export function compareRun(expect: z.output<typeof expectationSchema>, run: WorkflowRunDto): Difference[] {
  const differences: Difference[] = [];
  if (run.status !== expect.status) {
    const error = run.error ? ` (error ${run.error.code ?? ''}: ${String(run.error.message ?? '')})` : '';
    differences.push({ path: 'status', expected: show(expect.status), got: `${show(run.status)}${error}` });
  }
  if (Object.hasOwn(expect, 'output')) differences.push(...partialMatch(expect.output, run.output, 'output'));
  if (Object.hasOwn(expect, 'error')) differences.push(...partialMatch(expect.error, run.error, 'error'));
  for (const [key, expected] of Object.entries(expect.steps ?? {})) {
    const step = run.steps.find((candidate) => candidate.key === key);
    if (!step) {
      const ran = run.steps.map((candidate) => candidate.key).join(', ') || 'none';
      differences.push({ path: `steps.${key}`, expected: 'the step to have run', got: `no such step (steps run: ${ran})` });
    } else differences.push(...partialMatch(expected, step, `steps.${key}`));
  }
  return differences;
}

const issuesOf = (error: z.ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`)
    .join('; ');

/** Reads and checks the script file; a string says what is wrong with it. */
export async function loadScriptFile(file: string): Promise<ScriptFile | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return `cannot read ${file}: ${(error as Error).message}`;
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    return `${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`;
  }
  const checked = scriptFileSchema.safeParse(parsed);
  return checked.success ? checked.data : `${file}: ${issuesOf(checked.error)}`;
}

type Json = Record<string, unknown>;
type Answer = { status: number; body: Json };

class HarnessHub {
  readonly hub: Hub;
  private readonly url: string;
  private readonly dataDir: string;
  private key = '';

  private constructor(hub: Hub, url: string, dataDir: string) {
    this.hub = hub;
    this.url = url;
    this.dataDir = dataDir;
  }

  static async start(script: ScriptFile): Promise<HarnessHub> {
    const dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-workflow-test-'));
    const adminKey = generateAdminKey();
    let hub: Hub | undefined;
    try {
      hub = await createHub({
        config: configSchema.parse({
          providers: [{ id: SCRIPTED_PROVIDER, type: 'scripted' }],
          models: script.models.map((entry) => {
            const model = typeof entry === 'string' ? { name: entry } : entry;
            return { ...model, targets: [{ provider: SCRIPTED_PROVIDER, model: model.name }] };
          }),
        }),
        dataDir,
        adminKey,
        logger: pino({ level: 'silent' }),
      });
      const started = new HarnessHub(hub, await hub.listen(0, '127.0.0.1'), dataDir);
      const tenant = await started.request('POST', '/admin/v1/tenants', { name: 'workflow-test' }, adminKey);
      const key = await started.request(
        'POST',
        '/admin/v1/keys',
        { tenant_id: tenant.body.id, scopes: ['agents:write', 'agents:run'] },
        adminKey,
      );
      if (tenant.status !== 201 || typeof key.body.key !== 'string') throw new Error(`setting up a tenant: ${JSON.stringify(key.body)}`);
      started.key = key.body.key;
      return started;
    } catch (error) {
      await hub?.close();
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  async request(method: string, path: string, body?: unknown, key = this.key, signal?: AbortSignal): Promise<Answer> {
    const yaml = typeof body === 'string';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': yaml ? 'application/yaml' : 'application/json' }),
      },
      ...(body === undefined ? {} : { body: yaml ? body : JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
  }

  async close(): Promise<void> {
    await this.hub.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

const hubError = (answer: Answer): string => {
  const error = answer.body.error as { message?: string } | undefined;
  return `${answer.status}: ${error?.message ?? JSON.stringify(answer.body)}`;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one case to its end: people's decisions given as the run asks for them, short waits waited out. */
async function runCase(hub: HarnessHub, workflow: string, script: ScriptFile, testCase: TestCase): Promise<CaseResult> {
  hub.hub.scripted(SCRIPTED_PROVIDER).setScript(testCase.script ?? script.script);
  const result = (run: WorkflowRunDto | null, problem?: string): CaseResult => {
    const differences = run && !problem ? compareRun(testCase.expect, run) : [];
    return {
      name: testCase.name,
      passed: !problem && differences.length === 0,
      run_id: run?.id ?? null,
      status: run?.status ?? null,
      differences,
      ...(problem ? { problem } : {}),
    };
  };
  const deadline = Date.now() + CASE_TIMEOUT_MS;
  const started = await hub
    .request(
      'POST',
      `/v1/workflows/${workflow}/runs`,
      { input: testCase.input ?? {}, mode: 'sync' },
      undefined,
      AbortSignal.timeout(CASE_TIMEOUT_MS),
    )
    .catch((error: unknown) => error as Error);
  if (started instanceof Error) return result(null, `the run did not settle within ${CASE_TIMEOUT_MS / 1000} s (${started.message})`);
  if (started.status !== 200) return result(null, `the hub refused to start the run: ${hubError(started)}`);
  let run = started.body as unknown as WorkflowRunDto;
  const answered = new Set<string>();
  while (STILL_GOING.has(run.status)) {
    if (run.status === 'waiting_approval') {
      for (const pending of run.pending ?? []) {
        if (answered.has(pending.call_id)) continue;
        const decision = testCase.decisions[pending.call_id] ?? testCase.decisions[pending.step];
        if (!decision) {
          return result(
            run,
            `the run waits on the human step ${pending.call_id} ("${pending.title}") and the case gives no decision for it`,
          );
        }
        const decided = await hub.request('POST', `/v1/workflow-runs/${run.id}/decisions`, { call_id: pending.call_id, ...decision });
        if (decided.status !== 200) return result(run, `deciding ${pending.call_id}: ${hubError(decided)}`);
        answered.add(pending.call_id);
      }
    } else if (run.status === 'waiting' && run.wake_at) {
      const left = Date.parse(run.wake_at) - Date.now();
      if (left > MAX_WAIT_MS) {
        const step = run.steps.find((candidate) => candidate.status === 'waiting')?.key ?? 'a wait step';
        return result(
          run,
          `${step} waits until ${run.wake_at} (${Math.ceil(left / 1000)} s): the harness waits out at most ${MAX_WAIT_MS / 1000} s and does not fast-forward time`,
        );
      }
    }
    if (Date.now() > deadline) return result(run, `the run is still ${run.status} after ${CASE_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
    const read = await hub.request('GET', `/v1/workflow-runs/${run.id}`);
    if (read.status !== 200) return result(run, `reading the run: ${hubError(read)}`);
    run = read.body as unknown as WorkflowRunDto;
  }
  return result(run);
}

/** The report as printed: a line per case, the differences under a failed one, and the summary. */
export function reportLines(report: WorkflowTestReport): string[] {
  const lines = [`workflow ${report.workflow} (version ${report.version}): ${report.cases.length} cases on the scripted provider`];
  for (const result of report.cases) {
    if (result.passed) {
      lines.push(`✓ ${result.name}`);
      continue;
    }
    const reasons = result.problem ? [result.problem] : result.differences.map((d) => `${d.path}: expected ${d.expected}, got ${d.got}`);
    lines.push(`✗ ${result.name}: ${reasons[0] ?? ''}`, ...reasons.slice(1).map((reason) => `    ${reason}`));
  }
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return lines;
}

/** Applies the document on a fresh in-process hub and runs every case of the script file. */
export async function runWorkflowTests(options: { documentFile: string; scriptFile: string }): Promise<WorkflowTestOutcome> {
  const script = await loadScriptFile(options.scriptFile);
  if (typeof script === 'string') return { exitCode: 2, error: script };
  let document: string;
  try {
    document = await readFile(options.documentFile, 'utf8');
  } catch (error) {
    return { exitCode: 2, error: `cannot read ${options.documentFile}: ${(error as Error).message}` };
  }
  const hub = await HarnessHub.start(script);
  try {
    for (const [index, agent] of script.agents.entries()) {
      const created = await hub.request('POST', '/v1/agents', agent);
      if (created.status !== 201)
        return { exitCode: 2, error: `${options.scriptFile}: agents.${index} (${agent.name}): ${hubError(created)}` };
    }
    const applied = await hub.request('POST', '/v1/workflows', document);
    if (applied.status !== 200 && applied.status !== 201) return { exitCode: 2, error: `${options.documentFile}: ${hubError(applied)}` };
    const workflow = String(applied.body.name);
    const cases: CaseResult[] = [];
    for (const testCase of script.cases) cases.push(await runCase(hub, workflow, script, testCase));
    const passed = cases.filter((result) => result.passed).length;
    const report = { workflow, version: Number(applied.body.version), passed, failed: cases.length - passed, cases };
    return { exitCode: report.failed === 0 ? 0 : 1, report };
  } finally {
    await hub.close();
  }
}
