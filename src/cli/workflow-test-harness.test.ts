/**
 * The workflow test harness: the partial deep match and its paths, the script file's checks, and whole runs on
 * the fixtures of __fixtures__/workflow-tests (a hub in this process each time): a passing and a failing case,
 * the cases it cannot finish (no decision, an hour's wait), a short wait waited out, an expected failure, and a
 * document the hub refuses.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowRunDto } from '../workflows/index.js';
import { compareRun, expectationSchema, loadScriptFile, partialMatch, reportLines, runWorkflowTests } from './workflow-test-harness.js';

const FIXTURES = join(import.meta.dirname, '__fixtures__', 'workflow-tests');
const DOCUMENT = join(FIXTURES, 'refunds.yaml');

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tokenhub-workflow-test-harness-'));
});

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('partialMatch', () => {
  it('matches the keys given, at any depth, and ignores the others', () => {
    expect(partialMatch({ a: { b: 1 } }, { a: { b: 1, c: 2 }, d: 3 })).toEqual([]);
    expect(partialMatch({ list: [{ id: 1 }, { id: 2 }] }, { list: [{ id: 1, x: true }, { id: 2 }] })).toEqual([]);
    expect(partialMatch(null, null)).toEqual([]);
    expect(partialMatch('text', 'text')).toEqual([]);
  });

  it('names the path, the expected and the actual value of every difference', () => {
    expect(
      partialMatch({ intent: 'refund', detail: { amount: 21, currency: 'EUR' } }, { intent: 'other', detail: { amount: 21 } }, 'output'),
    ).toEqual([
      { path: 'output.intent', expected: '"refund"', got: '"other"' },
      { path: 'output.detail.currency', expected: '"EUR"', got: 'nothing' },
    ]);
    expect(partialMatch({ json: { intent: 'refund' } }, { text: 'plain' }, 'output')).toEqual([
      { path: 'output.json', expected: 'an object', got: 'nothing' },
    ]);
    expect(partialMatch({ a: 1 }, 'a string')).toEqual([{ path: '(value)', expected: 'an object', got: '"a string"' }]);
    // A number is not its decimal text: costs are strings.
    expect(partialMatch({ cost_usd: 0.5 }, { cost_usd: '0.5' })).toEqual([{ path: 'cost_usd', expected: '0.5', got: '"0.5"' }]);
    expect(partialMatch({ 'odd key': 1 }, { 'odd key': 2 }, 'output')).toEqual([{ path: 'output["odd key"]', expected: '1', got: '2' }]);
  });

  it('wants a list of the same length, and compares it item by item', () => {
    expect(partialMatch({ names: ['ann', 'bob'] }, { names: ['ann', 'rob', 'cy'] })).toEqual([
      { path: 'names', expected: '2 items', got: '3 items' },
      { path: 'names[1]', expected: '"bob"', got: '"rob"' },
    ]);
    expect(partialMatch([{ ok: true }], { ok: true }, 'output')).toEqual([{ path: 'output', expected: 'a list of 1', got: '{"ok":true}' }]);
  });
});

describe('compareRun', () => {
  const run = (status: WorkflowRunDto['status'], error: Record<string, unknown> | null): WorkflowRunDto => ({
    id: 'run_1',
    object: 'workflow.run',
    workflow: 'refunds',
    version: 1,
    status,
    input: {},
    output: status === 'completed' ? { intent: 'refund' } : null,
    error,
    parent_run_id: null,
    trigger: 'api',
    metadata: {},
    usage: { input_tokens: 0, output_tokens: 0, cost_usd: '0', model_calls: 0 },
    created_at: '2026-01-01T00:00:00.000Z',
    finished_at: '2026-01-01T00:00:01.000Z',
    steps: [
      {
        key: 'classify',
        id: 'classify',
        kind: 'llm',
        status: status === 'completed' ? 'completed' : 'failed',
        attempt: 1,
        started_at: null,
        finished_at: null,
        duration_ms: null,
        output: null,
        error: null,
        cost_usd: null,
      },
    ],
  });
  const expectations = (value: unknown) => expectationSchema.parse(value);

  it('expects a completed run unless told otherwise, and tells the error of a run that failed', () => {
    expect(compareRun(expectations({}), run('completed', null))).toEqual([]);
    expect(compareRun(expectations({}), run('failed', { code: 'script_exhausted', message: 'the script is exhausted' }))).toEqual([
      { path: 'status', expected: '"completed"', got: '"failed" (error script_exhausted: the script is exhausted)' },
    ]);
    expect(compareRun(expectations({ status: 'failed', error: { code: 'invalid_output' } }), run('failed', { code: 'x' }))).toEqual([
      { path: 'error.code', expected: '"invalid_output"', got: '"x"' },
    ]);
  });

  it('matches steps by key and names the steps that ran when one is missing', () => {
    expect(compareRun(expectations({ steps: { classify: { status: 'completed' } } }), run('completed', null))).toEqual([]);
    expect(compareRun(expectations({ steps: { check: { status: 'completed' } } }), run('completed', null))).toEqual([
      { path: 'steps.check', expected: 'the step to have run', got: 'no such step (steps run: classify)' },
    ]);
    expect(compareRun(expectations({ output: { intent: 'other' } }), run('completed', null))).toEqual([
      { path: 'output.intent', expected: '"other"', got: '"refund"' },
    ]);
  });
});

describe('the script file', () => {
  it('is refused with the path of its first problems, or when it cannot be read or parsed', async () => {
    const file = join(folder, 'bad.tests.yaml');
    await writeFile(
      file,
      'models: [gpt-4o-mini]\nscript: [{ text: hi, colour: blue }]\ncases:\n  - name: one\n    expect: { status: done }\n',
    );
    const problem = await loadScriptFile(file);
    expect(problem).toMatch(/bad\.tests\.yaml: script\.0: Unrecognized key: "colour"/);
    expect(problem).toMatch(/cases\.0\.expect\.status: Invalid option/);
    expect(await loadScriptFile(join(folder, 'absent.yaml'))).toMatch(/^cannot read .*absent\.yaml/);
    await writeFile(join(folder, 'broken.yaml'), 'models: [gpt');
    expect(await loadScriptFile(join(folder, 'broken.yaml'))).toMatch(/broken\.yaml is not valid YAML/);
    // Unusable files end with exit code 2 before any hub is started.
    expect(await runWorkflowTests({ documentFile: DOCUMENT, scriptFile: file })).toMatchObject({ exitCode: 2 });
    const loaded = await loadScriptFile(join(FIXTURES, 'refunds.tests.yaml'));
    expect(loaded).toMatchObject({ models: ['gpt-4o-mini'], cases: [{ name: 'refund path' }, { name: 'question taken for a refund' }] });
  });
});

describe('runWorkflowTests on an in-process hub', () => {
  it('passes a case whose steps did what it expects and fails one that differs, with exit code 1', { timeout: 120_000 }, async () => {
    const outcome = await runWorkflowTests({ documentFile: DOCUMENT, scriptFile: join(FIXTURES, 'refunds.tests.yaml') });
    expect(outcome.exitCode).toBe(1);
    if (outcome.exitCode === 2) throw new Error(outcome.error);
    expect(outcome.report).toMatchObject({ workflow: 'refunds', version: 1, passed: 1, failed: 1 });
    expect(outcome.report.cases.map((result) => [result.name, result.status, result.run_id?.startsWith('run_')])).toEqual([
      ['refund path', 'completed', true],
      ['question taken for a refund', 'completed', true],
    ]);
    expect(reportLines(outcome.report)).toEqual([
      'workflow refunds (version 1): 2 cases on the scripted provider',
      '✓ refund path',
      '✗ question taken for a refund: output.intent: expected "refund", got "question"',
      expect.stringMatching(/^ {4}steps\.check: expected the step to have run, got no such step \(steps run: .*\bclassify\b.*\)$/),
      '1 passed, 1 failed',
    ]);
  });

  it('fails a case that leaves a human step undecided or waits an hour; waits out a short pause; checks an expected failure', {
    timeout: 120_000,
  }, async () => {
    const outcome = await runWorkflowTests({ documentFile: DOCUMENT, scriptFile: join(FIXTURES, 'refunds.edge.yaml') });
    if (outcome.exitCode === 2) throw new Error(outcome.error);
    expect(outcome.exitCode).toBe(1);
    expect(reportLines(outcome.report)).toEqual([
      'workflow refunds (version 1): 4 cases on the scripted provider',
      '✗ no decision: the run waits on the human step check ("Check the photos of: refund please") and the case gives no decision for it',
      expect.stringMatching(
        /^✗ cooling off: cool_off waits until \d{4}-\d\d-\d\dT[\d:.]+Z \(3600 s\): the harness waits out at most 5 s and does not fast-forward time$/,
      ),
      '✓ short pause',
      '✓ not JSON',
      '2 passed, 2 failed',
    ]);
    expect(outcome.report.cases.map((result) => result.status)).toEqual(['waiting_approval', 'waiting', 'completed', 'failed']);
  });

  it("ends with exit code 2 and the hub's own message for a document it refuses", { timeout: 120_000 }, async () => {
    const bad = join(folder, 'refunds-bad.yaml');
    await writeFile(bad, (await readFile(DOCUMENT, 'utf8')).replace('agent: triage', 'agent: nobody'));
    const outcome = await runWorkflowTests({ documentFile: bad, scriptFile: join(FIXTURES, 'refunds.tests.yaml') });
    expect(outcome).toEqual({
      exitCode: 2,
      error: expect.stringMatching(/refunds-bad\.yaml: 400: Invalid workflow: step "answer" agent: there is no agent "nobody"/),
    });
  });
});
