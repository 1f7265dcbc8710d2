/**
 * The workflow document as the loader reads it: every step kind parses with its defaults, a bad step is
 * refused naming its path and id, `max_cost_usd` is stored as one canonical decimal string, triggers are
 * strict, documents nested too deep are refused without overflowing the stack, and v1alpha1 branch cases
 * (`goto`) migrate to `next`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { HubError } from '../core/index.js';
import { type BranchStep, bodyOf, type MapStep } from './document.js';
import { loadWorkflowDocument, MAX_DOCUMENT_DEPTH } from './load.js';

type Json = Record<string, unknown>;

const documentOf = (steps: Json[], spec: Json = {}): Json => ({
  apiVersion: 'tokenhub.dev/v1',
  kind: 'Workflow',
  metadata: { name: 'doc' },
  spec: { steps, ...spec },
});
const wait = (id: string): Json => ({ id, kind: 'wait', seconds: 1 });

/** The 400 a source is refused with: its message and the field it names. */
function refusal(source: unknown): { message: string; param: unknown } {
  try {
    loadWorkflowDocument(source);
  } catch (error) {
    expect(error).toBeInstanceOf(HubError);
    const hubError = error as HubError;
    expect([hubError.status, hubError.details.code]).toEqual([400, 'invalid_workflow']);
    return { message: hubError.message, param: hubError.details.param };
  }
  throw new Error('the document loaded');
}

const EVERY_KIND = `
apiVersion: tokenhub.dev/v1
kind: Workflow
metadata: { name: every-kind }
spec:
  steps:
    - { id: ask, kind: agent, agent: triage, input: "Hi \${{ input.name }}" }
    - { id: draft, kind: llm, model: scripted, prompt: Draft, temperature: 0.5, max_tokens: 100 }
    - { id: clock, kind: tool, tool: { type: builtin, name: current_time } }
    - { id: approve, kind: human, title: Approve }
    - id: route
      kind: branch
      cases: [{ when: "steps.approve.output.approved", next: both }]
      default: pause
    - id: both
      kind: parallel
      branches:
        - { name: left, steps: [{ id: left_note, kind: llm, model: scripted, prompt: L }] }
        - { name: right, steps: [{ id: right_note, kind: llm, model: scripted, prompt: R }] }
    - { id: each, kind: map, items: "input.list", steps: [{ id: one, kind: llm, model: scripted, prompt: "\${{ item }}" }] }
    - { id: again, kind: loop, until: "iteration >= 2", max_iterations: 3, steps: [{ id: pass, kind: wait, seconds: 0 }] }
    - { id: pause, kind: wait, until: "2030-01-01T00:00:00Z" }
    - { id: child, kind: workflow, workflow: other, version: 2 }
`;

describe('step kinds', () => {
  it('parses every kind, nested bodies included, with the defaults filled in', () => {
    const document = loadWorkflowDocument(EVERY_KIND);
    const steps = document.spec.steps;
    expect(steps.map((step) => step.kind)).toEqual([
      'agent',
      'llm',
      'tool',
      'human',
      'branch',
      'parallel',
      'map',
      'loop',
      'wait',
      'workflow',
    ]);
    expect(steps[2]).toMatchObject({ tool: { type: 'builtin', name: 'current_time' }, arguments: {} });
    expect(steps[3]).toMatchObject({ queue: 'default', priority: 'normal', mode: 'approval' });
    expect((steps[4] as BranchStep).cases).toEqual([{ when: 'steps.approve.output.approved', next: 'both' }]);
    expect(steps[5]).toMatchObject({ branches: [{ name: 'left', steps: [{ id: 'left_note' }] }, { name: 'right' }] });
    expect(steps[6]).toMatchObject({ concurrency: 4, steps: [{ id: 'one', kind: 'llm' }] });
    expect(steps[7]).toMatchObject({ max_iterations: 3, steps: [{ id: 'pass' }] });
    expect(steps[9]).toMatchObject({ workflow: 'other', version: 2, input: {} });
  });

  it('fills in retry defaults', () => {
    const document = loadWorkflowDocument(documentOf([{ ...wait('w'), retry: { max_attempts: 5 } }]));
    expect(document.spec.steps[0]?.retry).toEqual({ max_attempts: 5, backoff_ms: 1000, max_backoff_ms: 60000 });
  });

  it.each([
    [
      'an llm step with a temperature out of range',
      [{ id: 'draft', kind: 'llm', model: 'm', prompt: 'p', temperature: 7 }],
      'spec.steps.0.temperature',
      'steps.0 (step "draft").temperature',
    ],
    [
      'an agent step without input',
      [wait('first'), { id: 'ask', kind: 'agent', agent: 'triage' }],
      'spec.steps.1.input',
      'steps.1 (step "ask").input',
    ],
    [
      'a tool step with an unknown tool type',
      [{ id: 'call', kind: 'tool', tool: { type: 'teleport', name: 'x' } }],
      'spec.steps.0.tool.type',
      '(step "call")',
    ],
    ['a human step with an unknown mode', [{ id: 'ok', kind: 'human', title: 'T', mode: 'vote' }], 'spec.steps.0.mode', '(step "ok").mode'],
    ['a branch without cases', [{ id: 'route', kind: 'branch', cases: [] }], 'spec.steps.0.cases', '(step "route").cases'],
    [
      'a parallel step with an empty branch',
      [{ id: 'fan', kind: 'parallel', branches: [{ name: 'a', steps: [] }] }],
      'spec.steps.0.branches.0.steps',
      '(step "fan")',
    ],
    ['a map without items', [{ id: 'each', kind: 'map', steps: [wait('w')] }], 'spec.steps.0.items', '(step "each").items'],
    [
      'a loop without max_iterations',
      [{ id: 'again', kind: 'loop', until: 'true', steps: [wait('w')] }],
      'spec.steps.0.max_iterations',
      '(step "again").max_iterations',
    ],
    [
      'a wait with both seconds and until',
      [{ id: 'nap', kind: 'wait', seconds: 1, until: '2030-01-01T00:00:00Z' }],
      'spec.steps.0',
      'give exactly one of seconds or until',
    ],
    [
      'a sub-workflow with a bad name',
      [{ id: 'child', kind: 'workflow', workflow: 'has spaces' }],
      'spec.steps.0.workflow',
      '(step "child").workflow',
    ],
    [
      'a nested step with an unknown field',
      [{ id: 'each', kind: 'map', items: 'x', steps: [{ ...wait('inner'), colour: 'red' }] }],
      'spec.steps.0.steps.0',
      '(step "inner")',
    ],
    ['an unknown kind', [{ id: 'jump', kind: 'teleport' }], 'spec.steps.0.kind', '(step "jump").kind'],
    ['a step id that is not an identifier', [wait('1st')], 'spec.steps.0.id', 'must start with a letter'],
  ])('refuses %s, naming the step', (_name, steps, param, text) => {
    const { message, param: named } = refusal(documentOf(steps));
    expect(named).toBe(param);
    expect(message).toContain(text);
  });
});

describe('max_cost_usd', () => {
  it.each([
    [2, '2.00'],
    ['2', '2.00'],
    [0.5, '0.50'],
    ['0.50', '0.50'],
    ['0.000001', '0.000001'],
    [1234.5, '1234.50'],
  ])('stores %j as %j', (given, stored) => {
    expect(loadWorkflowDocument(documentOf([wait('w')], { max_cost_usd: given })).spec.max_cost_usd).toBe(stored);
  });

  it('loads a number and the decimal string it stands for as the same document', () => {
    expect(loadWorkflowDocument(documentOf([wait('w')], { max_cost_usd: 0.1 }))).toEqual(
      loadWorkflowDocument(documentOf([wait('w')], { max_cost_usd: '0.100' })),
    );
  });

  // A JSON number with more digits than a double keeps: which amount it means cannot be known.
  const noisy = JSON.parse('123456789.123456789') as number;
  it.each([-1, '1e3', ' 1', '0.0000000000001', noisy])('refuses %j', (given) => {
    expect(refusal(documentOf([wait('w')], { max_cost_usd: given })).param).toBe('spec.max_cost_usd');
  });
});

describe('triggers', () => {
  it('reads schedules and events with their defaults', () => {
    const document = loadWorkflowDocument(
      documentOf([wait('w')], {
        triggers: {
          schedules: [{ cron: '0 9 * * MON' }, { cron: '*/30 * * * * *', timezone: 'Europe/Berlin', input: { report: 'weekly' } }],
          events: [
            { on: 'agent_run.completed', agent: 'support', input: { order: '${{ event.run_id }}' } },
            { on: 'inbox_task.resolved', queue: 'returns' },
          ],
        },
      }),
    );
    expect(document.spec.triggers).toEqual({
      schedules: [
        { cron: '0 9 * * MON', timezone: 'UTC', input: {} },
        { cron: '*/30 * * * * *', timezone: 'Europe/Berlin', input: { report: 'weekly' } },
      ],
      events: [
        { on: 'agent_run.completed', agent: 'support', input: { order: '${{ event.run_id }}' } },
        { on: 'inbox_task.resolved', queue: 'returns', input: {} },
      ],
    });
  });

  it.each([
    ['a cron of 7 fields (a year)', { schedules: [{ cron: '0 0 9 * * MON 2030' }] }, 'spec.triggers.schedules.0.cron'],
    ['a cron that names no real day', { schedules: [{ cron: '0 0 30 2 *' }] }, 'spec.triggers.schedules.0.cron'],
    ['an unknown time zone', { schedules: [{ cron: '0 9 * * *', timezone: 'Mars/Olympus' }] }, 'spec.triggers.schedules.0.timezone'],
    ['an offset instead of a zone name', { schedules: [{ cron: '0 9 * * *', timezone: '+01:00' }] }, 'spec.triggers.schedules.0.timezone'],
    ['more than 20 schedules', { schedules: Array.from({ length: 21 }, () => ({ cron: '0 9 * * *' })) }, 'spec.triggers.schedules'],
    ['an unknown event', { events: [{ on: 'workflow_run.started' }] }, 'spec.triggers.events.0.on'],
    ['a queue filter on agent runs', { events: [{ on: 'agent_run.completed', queue: 'returns' }] }, 'spec.triggers.events.0'],
    ['an unknown trigger kind', { webhooks: [] }, 'spec.triggers'],
  ])('refuses %s', (_name, triggers, param) => {
    expect(refusal(documentOf([wait('w')], { triggers })).param).toBe(param);
  });
});

describe('nesting depth', () => {
  /** A document whose `spec.output` holds lists `lists` deep: the document then nests `lists + 2` levels. */
  const nested = (lists: number): string =>
    `apiVersion: tokenhub.dev/v1\nkind: Workflow\nmetadata: { name: deep }\nspec:\n  output: ${'['.repeat(lists)}${']'.repeat(lists)}\n  steps: [{ id: w, kind: wait, seconds: 1 }]\n`;

  it(`takes a document ${MAX_DOCUMENT_DEPTH} levels deep and refuses one level more`, () => {
    expect(loadWorkflowDocument(nested(MAX_DOCUMENT_DEPTH - 2)).spec.output).toBeDefined();
    expect(refusal(nested(MAX_DOCUMENT_DEPTH - 1))).toEqual({
      message: `The workflow document nests deeper than ${MAX_DOCUMENT_DEPTH} levels.`,
      param: 'document',
    });
  });

  it('refuses a document nested far deeper, as YAML blocks, as flow lists and as an object, with the same 400', () => {
    let block = 'leaf: 1';
    for (let level = 0; level < 70; level++) block = `a:\n${block.replace(/^/gm, '  ')}`;
    const blockDocument = `apiVersion: tokenhub.dev/v1\nkind: Workflow\nmetadata: { name: deep }\nspec:\n  output:\n${block.replace(/^/gm, '    ')}\n  steps: [{ id: w, kind: wait, seconds: 1 }]\n`;
    let object: unknown = 1;
    for (let level = 0; level < 100_000; level++) object = [object];
    for (const source of [blockDocument, nested(50_000), documentOf([wait('w')], { output: object })]) {
      expect(refusal(source)).toEqual({
        message: `The workflow document nests deeper than ${MAX_DOCUMENT_DEPTH} levels.`,
        param: 'document',
      });
    }
  });
});

describe('v1alpha1 branch cases', () => {
  it('migrate `goto` to `next`, as the fixture of the old-documents folder shows', async () => {
    const text = await readFile(join(import.meta.dirname, '__fixtures__', 'old-documents', 'v1alpha1-order-routing.yaml'), 'utf8');
    const document = loadWorkflowDocument(text);
    const route = document.spec.steps.find((step) => step.id === 'route') as BranchStep;
    expect(route.cases.map((branchCase) => branchCase.next)).toEqual(['refund', 'exchange']);
    expect(JSON.stringify(document)).not.toContain('goto');
    expect(document.spec.max_cost_usd).toBe('1.50');
  });

  it('migrate inside nested bodies, and keep a case that already says `next`', () => {
    const alpha = {
      apiVersion: 'tokenhub.dev/v1alpha1',
      name: 'nested',
      steps: [
        {
          id: 'each',
          type: 'map',
          items: 'input.list',
          steps: [
            {
              id: 'pick',
              type: 'branch',
              cases: [
                { when: 'item > 1', goto: 'big' },
                { when: 'item < 0', next: 'small' },
              ],
            },
            { id: 'big', type: 'wait', seconds: 1, end: true },
            { id: 'small', type: 'wait', seconds: 1 },
          ],
        },
      ],
    };
    const each = loadWorkflowDocument(toYaml(alpha)).spec.steps[0] as MapStep;
    const pick = bodyOf(each.steps)[0] as BranchStep;
    expect(pick.cases).toEqual([
      { when: 'item > 1', next: 'big' },
      { when: 'item < 0', next: 'small' },
    ]);
  });
});
