/**
 * Save-time validation of a loaded document against a catalogue of what the tenant's hub has: each kind
 * of problem is found and names the step and field, a sound document has none, and `validateWorkflow`
 * turns the first into a 400 naming `steps.<id>.<field>`.
 */
import { describe, expect, it } from 'vitest';
import { HubError } from '../core/index.js';
import { loadWorkflowDocument } from './load.js';
import { validateWorkflow, type WorkflowCatalogue, type WorkflowProblem, workflowProblems } from './validate.js';

type Json = Record<string, unknown>;

/** A hub with the agent `triage`, the model `scripted`, the app tool set `support`, and two saved workflows. */
const catalogue: WorkflowCatalogue = {
  agentExists: async (name) => name === 'triage',
  modelExists: (name) => name === 'scripted',
  appToolExists: (name) => name === 'support',
  workflowInputs: async (name) => {
    if (name === 'refund') {
      return {
        type: 'object',
        properties: { order: { type: 'string' }, amount: { type: 'number' }, rush: { type: 'boolean' } },
        required: ['order'],
      };
    }
    return name === 'plain' ? {} : undefined;
  },
};

const documentOf = (steps: Json[], spec: Json = {}): Json => ({
  apiVersion: 'tokenhub.dev/v1',
  kind: 'Workflow',
  metadata: { name: 'returns' },
  spec: { steps, ...spec },
});
const llm = (id: string, extra: Json = {}): Json => ({ id, kind: 'llm', model: 'scripted', prompt: 'Go', ...extra });
const wait = (id: string, extra: Json = {}): Json => ({ id, kind: 'wait', seconds: 1, ...extra });

const problemsOf = async (steps: Json[], spec: Json = {}): Promise<WorkflowProblem[]> =>
  workflowProblems(loadWorkflowDocument(documentOf(steps, spec)), catalogue);

describe('a sound document', () => {
  it('has no problems', async () => {
    const steps = [
      { id: 'triage', kind: 'agent', agent: 'triage', input: 'Order ${{ input.order }}' },
      {
        id: 'route',
        kind: 'branch',
        cases: [{ when: "steps.triage.output.text.contains('refund')", next: 'pay' }],
        default: 'note',
      },
      { id: 'pay', kind: 'workflow', workflow: 'refund', input: { order: '${{ input.order }}', amount: 12.5 }, next: 'note' },
      {
        id: 'note',
        kind: 'tool',
        tool: { type: 'app', name: 'support' },
        function: 'reply',
        arguments: { text: '${{ steps.triage.output.text }}' },
      },
      { id: 'again', kind: 'loop', until: 'iteration >= 2', max_iterations: 3, steps: [llm('draft')] },
      { id: 'ok', kind: 'human', title: 'Approve', timeout_s: 60, on_timeout: 'late' },
      wait('late'),
    ];
    expect(await problemsOf(steps, { output: '${{ steps.note.output }}' })).toEqual([]);
    await expect(validateWorkflow(loadWorkflowDocument(documentOf(steps)), catalogue)).resolves.toBeUndefined();
  });
});

describe('jumps', () => {
  it.each([
    ['next', [wait('a', { next: 'nowhere' }), wait('b')], 'next'],
    ['on_error', [wait('a', { on_error: 'nowhere' })], 'on_error'],
    [
      'a case',
      [
        {
          id: 'a',
          kind: 'branch',
          cases: [
            { when: 'true', next: 'b' },
            { when: 'false', next: 'nowhere' },
          ],
        },
        wait('b'),
      ],
      'cases.1.next',
    ],
    ['default', [{ id: 'a', kind: 'branch', cases: [{ when: 'true', next: 'b' }], default: 'nowhere' }, wait('b')], 'default'],
    ['exhausted', [{ id: 'a', kind: 'loop', until: 'true', max_iterations: 2, exhausted: 'nowhere', steps: [wait('inner')] }], 'exhausted'],
    ['on_timeout', [{ id: 'a', kind: 'human', title: 'T', timeout_s: 60, on_timeout: 'nowhere' }], 'on_timeout'],
  ])('refuse %s naming a step that does not exist', async (_name, steps, field) => {
    expect(await problemsOf(steps)).toEqual([
      { step: 'a', field, message: 'names "nowhere", which is not a step of the same list of steps' },
    ]);
  });

  it('refuse a jump out of a body into the steps around it', async () => {
    const steps = [{ id: 'each', kind: 'map', items: 'input.list', steps: [wait('inner', { next: 'after' })] }, wait('after')];
    expect(await problemsOf(steps)).toEqual([
      { step: 'inner', field: 'next', message: 'names "after", which is not a step of the same list of steps' },
    ]);
  });

  it('refuse steps that form a cycle, naming it, but not a loop', async () => {
    expect(await problemsOf([wait('a'), wait('b'), wait('c', { next: 'a' })])).toEqual([
      { step: 'a', field: 'next', message: 'the steps "a" → "b" → "c" → "a" form a cycle; repeat steps with a `loop` step instead' },
    ]);
    const viaBranch = [
      { id: 'check', kind: 'branch', cases: [{ when: 'input.more', next: 'work' }], default: 'done' },
      wait('work', { next: 'check' }),
      wait('done'),
    ];
    expect((await problemsOf(viaBranch)).map((problem) => problem.message)).toEqual([
      expect.stringContaining('"check" → "work" → "check" form a cycle'),
    ]);
    const inBody = [{ id: 'again', kind: 'loop', until: 'true', max_iterations: 2, steps: [wait('x'), wait('y', { next: 'x' })] }];
    expect((await problemsOf(inBody)).map((problem) => problem.step)).toEqual(['x']);
    expect(
      await problemsOf([{ id: 'again', kind: 'loop', until: 'iteration > 2', max_iterations: 5, steps: [wait('x'), wait('y')] }]),
    ).toEqual([]);
    expect(await problemsOf([wait('a', { end: true }), wait('b', { next: 'a' })])).toEqual([]);
  });

  it('refuse two steps of one id, nested ones included', async () => {
    const steps = [wait('a'), { id: 'each', kind: 'map', items: 'input.list', steps: [wait('a')] }];
    expect(await problemsOf(steps)).toEqual([{ step: 'a', field: 'id', message: 'the id "a" is used by two steps' }]);
  });
});

describe('expressions', () => {
  it('refuse one that does not parse, with the reason', async () => {
    const [problem] = await problemsOf([llm('draft', { prompt: 'Hi ${{ input. }}' })]);
    expect(problem).toMatchObject({ step: 'draft', field: 'prompt' });
    expect(problem?.message).toMatch(/^the expression `input\.` does not parse: /);
  });

  it('refuse reading a step that does not exist, and a step reading its own output', async () => {
    expect(await problemsOf([llm('draft', { prompt: '${{ steps.ghost.output }}' })])).toEqual([
      { step: 'draft', field: 'prompt', message: '`steps.ghost.output` reads steps.ghost, but no step has the id "ghost"' },
    ]);
    expect(await problemsOf([llm('draft', { if: 'steps.draft.status == "done"' })])).toEqual([
      { step: 'draft', field: 'if', message: '`steps.draft.status == "done"` reads the step\'s own output' },
    ]);
    expect(await problemsOf([wait('w')], { output: '${{ steps.gone.output }}' })).toEqual([
      { field: 'spec.output', message: '`steps.gone.output` reads steps.gone, but no step has the id "gone"' },
    ]);
  });

  it('check conditions of branches, maps and loops as bare expressions', async () => {
    const steps = [
      { id: 'route', kind: 'branch', cases: [{ when: 'steps.nobody.output', next: 'w' }] },
      { id: 'each', kind: 'map', items: 'steps.none.output', steps: [wait('inner')] },
      { id: 'again', kind: 'loop', until: 'iteration >', max_iterations: 2, steps: [wait('pass')] },
      wait('w'),
    ];
    expect((await problemsOf(steps)).map((problem) => `${problem.step}.${problem.field}`)).toEqual([
      'route.cases.0.when',
      'each.items',
      'again.until',
    ]);
  });
});

describe('what a step names', () => {
  it('refuse an agent, a model, an app tool set and a sub-workflow the hub does not have', async () => {
    const steps = [
      { id: 'ask', kind: 'agent', agent: 'stranger', input: 'Hi' },
      { id: 'draft', kind: 'llm', model: 'gpt-9', prompt: 'Hi' },
      { id: 'call', kind: 'tool', tool: { type: 'app', name: 'nothing' }, function: 'reply' },
      { id: 'child', kind: 'workflow', workflow: 'missing' },
    ];
    expect(await problemsOf(steps)).toEqual([
      { step: 'ask', field: 'agent', message: 'there is no agent "stranger"' },
      { step: 'draft', field: 'model', message: 'there is no routed model "gpt-9"' },
      { step: 'call', field: 'tool.name', message: 'there is no app tool set "nothing"' },
      { step: 'child', field: 'workflow', message: 'there is no workflow "missing"' },
    ]);
  });

  it("refuse a sandbox tool in a tool step: it runs in an agent's run", async () => {
    const steps = [{ id: 'code', kind: 'tool', tool: { type: 'sandbox' }, function: 'run_code' }];
    expect(await problemsOf(steps)).toEqual([
      {
        step: 'code',
        field: 'tool.type',
        message: "a sandbox tool runs in an agent's run: give an agent step an agent with a sandbox tool",
      },
    ]);
  });

  it('refuse a tool set without the tool to call', async () => {
    const steps = [{ id: 'call', kind: 'tool', tool: { type: 'mcp', name: 'files', server: { url: 'https://mcp.example.com/mcp' } } }];
    expect(await problemsOf(steps)).toEqual([
      { step: 'call', field: 'function', message: 'a mcp tool set holds several tools: name the one to call' },
    ]);
  });

  it('refuse a form without fields, an enum without options, and on_timeout without timeout_s', async () => {
    const steps = [
      { id: 'empty', kind: 'human', title: 'T', mode: 'form' },
      { id: 'pick', kind: 'human', title: 'T', mode: 'form', fields: [{ name: 'level', type: 'enum' }] },
      { id: 'late', kind: 'human', title: 'T', on_timeout: 'w' },
      wait('w'),
    ];
    expect(await problemsOf(steps)).toEqual([
      { step: 'empty', field: 'fields', message: 'a form needs at least one field' },
      { step: 'pick', field: 'fields.0.options', message: 'an enum field needs options' },
      { step: 'late', field: 'on_timeout', message: 'needs timeout_s' },
    ]);
  });

  it('refuse a workflow step naming the workflow itself, without looking it up', async () => {
    const lookups: string[] = [];
    const watching: WorkflowCatalogue = {
      ...catalogue,
      workflowInputs: async (name) => {
        lookups.push(name);
        return {};
      },
    };
    const document = loadWorkflowDocument(documentOf([wait('w'), { id: 'recurse', kind: 'workflow', workflow: 'returns' }]));
    expect(await workflowProblems(document, watching)).toEqual([
      { step: 'recurse', field: 'workflow', message: 'names this workflow itself; a workflow cannot run itself as a step' },
    ]);
    expect(lookups).toEqual([]);
    const error = await validateWorkflow(document, watching).catch((caught: unknown) => caught as HubError);
    expect(error).toBeInstanceOf(HubError);
    expect([(error as HubError).status, (error as HubError).details]).toEqual([
      400,
      { param: 'steps.recurse.workflow', code: 'invalid_workflow' },
    ]);
  });
});

describe('types between steps', () => {
  const compare = {
    ...llm('compare'),
    output_schema: { type: 'object', properties: { best: { type: 'string' }, prices: { type: 'array' }, total: { type: 'number' } } },
  };

  it('refuse a map over an output the schema says is not a list', async () => {
    expect(await problemsOf([compare, { id: 'each', kind: 'map', items: 'steps.compare.output.best', steps: [wait('inner')] }])).toEqual([
      { step: 'each', field: 'items', message: 'gives string by the output_schema it reads, not a list' },
    ]);
    expect(await problemsOf([compare, { id: 'each', kind: 'map', items: 'steps.compare.output.prices', steps: [wait('inner')] }])).toEqual(
      [],
    );
  });

  it("refuse a sub-workflow input whose type the earlier step's output_schema or the literal contradicts", async () => {
    const child = {
      id: 'pay',
      kind: 'workflow',
      workflow: 'refund',
      input: { order: '${{ steps.compare.output.total }}', amount: '${{ steps.compare.output.total }}', rush: 'yes' },
    };
    expect(await problemsOf([compare, child])).toEqual([
      { step: 'pay', field: 'input.order', message: 'is number, but workflow "refund" takes string' },
      { step: 'pay', field: 'input.rush', message: 'is string, but workflow "refund" takes boolean' },
    ]);
    // A literal that looks like a path is text, as the run will pass it.
    const literal = { id: 'pay', kind: 'workflow', workflow: 'refund', input: { order: 'A-1', amount: 'steps.compare.output.best' } };
    expect(await problemsOf([compare, literal])).toEqual([
      { step: 'pay', field: 'input.amount', message: 'is string, but workflow "refund" takes number' },
    ]);
    const integers = { id: 'pay', kind: 'workflow', workflow: 'refund', input: { order: '${{ steps.compare.output.best }}', amount: 3 } };
    expect(await problemsOf([compare, integers])).toEqual([]);
  });

  it('refuse a sub-workflow step that leaves out an input the sub-workflow requires', async () => {
    expect(await problemsOf([{ id: 'pay', kind: 'workflow', workflow: 'refund', input: { amount: 1 } }])).toEqual([
      { step: 'pay', field: 'input.order', message: 'workflow "refund" requires it' },
    ]);
  });
});

describe('triggers', () => {
  const inputs = { type: 'object', properties: { report: { type: 'string' } }, required: ['report'] };

  it('refuse a schedule whose input does not match spec.inputs', async () => {
    const triggers = {
      schedules: [
        { cron: '0 9 * * *', input: { report: 'weekly' } },
        { cron: '0 9 * * *', input: { report: 7 } },
      ],
    };
    const problems = await problemsOf([wait('w')], { inputs, triggers });
    expect(problems).toEqual([
      { field: 'spec.triggers.schedules.1.input', message: expect.stringMatching(/^does not match spec.inputs: \/report must be string/) },
    ]);
  });

  it("refuse an event's templates that do not parse or read what only a run has, and an agent filter naming no agent", async () => {
    const triggers = {
      events: [
        { on: 'agent_run.completed', agent: 'triage', input: { run: '${{ event.run_id }}', text: 'Done: ${{ event.output.text }}' } },
        { on: 'agent_run.completed', agent: 'ghost', input: { bad: '${{ event. }}' } },
        { on: 'inbox_task.resolved', input: { order: '${{ steps.triage.output }}' } },
      ],
    };
    const problems = await problemsOf([wait('w')], { triggers });
    expect(problems.map((problem) => problem.field)).toEqual([
      'spec.triggers.events.1.input',
      'spec.triggers.events.1.agent',
      'spec.triggers.events.2.input',
    ]);
    expect(problems[2]?.message).toBe("`steps.triage.output` reads steps, but a trigger's templates see only `event`");
    const error = await validateWorkflow(loadWorkflowDocument(documentOf([wait('w')], { triggers })), catalogue).catch(
      (caught: unknown) => caught as HubError,
    );
    expect((error as HubError).details.param).toBe('spec.triggers.events.1.input');
    expect((error as HubError).message).toMatch(/\(and 2 more: spec\.triggers\.events\.1\.agent: there is no agent "ghost"; /);
  });
});

describe('validateWorkflow', () => {
  it('names the first problem as the param and counts the others in the message', async () => {
    const document = loadWorkflowDocument(
      documentOf([llm('a', { model: 'nope' }), wait('b', { next: 'gone' }), llm('c', { prompt: '${{ steps.x.output }}' })]),
    );
    const error = await validateWorkflow(document, catalogue).catch((caught: unknown) => caught as HubError);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).details).toEqual({ param: 'steps.b.next', code: 'invalid_workflow' });
    expect((error as HubError).message).toBe(
      'Invalid workflow: step "b" next: names "gone", which is not a step of the same list of steps (and 2 more: step "a" model: there is no routed model "nope"; step "c" prompt: `steps.x.output` reads steps.x, but no step has the id "x")',
    );
  });
});
