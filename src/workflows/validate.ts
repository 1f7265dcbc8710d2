import { HubError } from '../core/index.js';
import { allSteps, bodyOf, type WorkflowDocument, type WorkflowStep } from './document.js';
import { expressionProblem, expressionsIn } from './expressions.js';
import { schemaProblem } from './run/json-check.js';

/** What a workflow may name, looked up in the tenant's hub when it is saved. */
export interface WorkflowCatalogue {
  agentExists(name: string): Promise<boolean>;
  modelExists(name: string): boolean;
  appToolExists(name: string): boolean;
  /** A saved workflow's input schema (`{}` when it declares none), or undefined when there is no such workflow. */
  workflowInputs(name: string): Promise<Record<string, unknown> | undefined>;
}

/** One thing wrong with a document, naming the step and its field. */
export interface WorkflowProblem {
  step?: string;
  field: string;
  message: string;
}

const STEP_REFERENCE = /\bsteps\s*\.\s*\??\s*([a-zA-Z][a-zA-Z0-9_]*)/g;
/** A run's own variables, which a trigger's templates (evaluated before the run exists) cannot read. */
const RUN_VARIABLE = /(?<![.\w$'"])(steps|input|item)\s*[.[]/;

/** Every problem of a loaded document, in document order (empty when it is sound). */
export async function workflowProblems(document: WorkflowDocument, catalogue: WorkflowCatalogue): Promise<WorkflowProblem[]> {
  const problems: WorkflowProblem[] = [];
  const steps = allSteps(document.spec.steps);
  const byId = new Map<string, WorkflowStep>();
  for (const step of steps) {
    if (byId.has(step.id)) problems.push({ step: step.id, field: 'id', message: `the id "${step.id}" is used by two steps` });
    byId.set(step.id, step);
  }
  checkBody(document.spec.steps, problems);
  for (const step of steps) {
    await checkStep(step, document.metadata.name, byId, catalogue, problems);
  }
  for (const expression of expressionsIn(document.spec.output ?? null))
    checkExpression(expression, undefined, 'spec.output', byId, problems);
  await checkTriggers(document, catalogue, problems);
  return problems;
}

/** Throws a 400 naming the first problem (with the others in the message), or returns when there is none. */
export async function validateWorkflow(document: WorkflowDocument, catalogue: WorkflowCatalogue): Promise<void> {
  const problems = await workflowProblems(document, catalogue);
  const first = problems[0];
  if (!first) return;
  const describe = (problem: WorkflowProblem) => `${problem.step ? `step "${problem.step}" ` : ''}${problem.field}: ${problem.message}`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1, 4).map(describe).join('; ')})` : '';
  throw new HubError('INVALID_REQUEST', `Invalid workflow: ${describe(first)}${more}`, {
    param: first.step ? `steps.${first.step}.${first.field}` : first.field,
    code: 'invalid_workflow',
  });
}

/** Jumps stay in their body, and a body's steps form no cycle (repetition is what `loop` is for). */
function checkBody(body: readonly WorkflowStep[], problems: WorkflowProblem[]): void {
  const index = new Map(body.map((step, position) => [step.id, position]));
  const edges = new Map<string, string[]>();
  for (const [position, step] of body.entries()) {
    const targets: { field: string; id: string }[] = [];
    if (step.next) targets.push({ field: 'next', id: step.next });
    if (step.on_error) targets.push({ field: 'on_error', id: step.on_error });
    if (step.kind === 'branch') {
      for (const [caseIndex, branchCase] of step.cases.entries()) targets.push({ field: `cases.${caseIndex}.next`, id: branchCase.next });
      if (step.default) targets.push({ field: 'default', id: step.default });
    }
    if (step.kind === 'human' && step.on_timeout) targets.push({ field: 'on_timeout', id: step.on_timeout });
    if (step.kind === 'loop' && step.exhausted) targets.push({ field: 'exhausted', id: step.exhausted });
    const out: string[] = [];
    for (const target of targets) {
      if (!index.has(target.id)) {
        problems.push({
          step: step.id,
          field: target.field,
          message: `names "${target.id}", which is not a step of the same list of steps`,
        });
      } else out.push(target.id);
    }
    const falls = !step.end && !step.next && !(step.kind === 'branch' && step.default);
    const following = body[position + 1];
    if (falls && following) out.push(following.id);
    edges.set(step.id, out);
  }
  const cycle = findCycle(
    body.map((step) => step.id),
    edges,
  );
  if (cycle) {
    problems.push({
      step: cycle[0],
      field: 'next',
      message: `the steps ${cycle.map((id) => `"${id}"`).join(' → ')} form a cycle; repeat steps with a \`loop\` step instead`,
    });
  }
  for (const step of body) {
    if (step.kind === 'parallel') for (const branch of step.branches) checkBody(bodyOf(branch.steps), problems);
    else if (step.kind === 'map' || step.kind === 'loop') checkBody(bodyOf(step.steps), problems);
  }
}

function findCycle(ids: string[], edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of ids) {
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}

async function checkStep(
  step: WorkflowStep,
  workflowName: string,
  byId: Map<string, WorkflowStep>,
  catalogue: WorkflowCatalogue,
  problems: WorkflowProblem[],
): Promise<void> {
  const check = (field: string, value: unknown, bare = false) => {
    const expressions = bare && typeof value === 'string' ? [value] : expressionsIn(value);
    for (const expression of expressions) checkExpression(expression, step, field, byId, problems);
  };
  if (step.if) check('if', step.if, true);
  switch (step.kind) {
    case 'agent':
      check('input', step.input);
      if (!(await catalogue.agentExists(step.agent)))
        problems.push({ step: step.id, field: 'agent', message: `there is no agent "${step.agent}"` });
      break;
    case 'llm':
      check('prompt', step.prompt);
      if (step.system) check('system', step.system);
      if (!catalogue.modelExists(step.model))
        problems.push({ step: step.id, field: 'model', message: `there is no routed model "${step.model}"` });
      break;
    case 'tool':
      check('arguments', step.arguments);
      if (step.tool.type === 'sandbox') {
        problems.push({
          step: step.id,
          field: 'tool.type',
          message: "a sandbox tool runs in an agent's run: give an agent step an agent with a sandbox tool",
        });
      }
      if (step.tool.type === 'app' && !catalogue.appToolExists(step.tool.name)) {
        problems.push({ step: step.id, field: 'tool.name', message: `there is no app tool set "${step.tool.name}"` });
      }
      if ((step.tool.type === 'mcp' || step.tool.type === 'app') && !step.function) {
        problems.push({
          step: step.id,
          field: 'function',
          message: `a ${step.tool.type} tool set holds several tools: name the one to call`,
        });
      }
      break;
    case 'human':
      if (step.instructions) check('instructions', step.instructions);
      check('title', step.title);
      if (step.mode === 'form' && !step.fields?.length)
        problems.push({ step: step.id, field: 'fields', message: 'a form needs at least one field' });
      if (step.on_timeout && !step.timeout_s) problems.push({ step: step.id, field: 'on_timeout', message: 'needs timeout_s' });
      for (const [index, field] of (step.fields ?? []).entries()) {
        if (field.type === 'enum' && !field.options?.length)
          problems.push({ step: step.id, field: `fields.${index}.options`, message: 'an enum field needs options' });
      }
      break;
    case 'branch':
      for (const [index, branchCase] of step.cases.entries()) check(`cases.${index}.when`, branchCase.when, true);
      break;
    case 'map': {
      check('items', step.items, true);
      const source = referencedOutputSchema(step.items, byId);
      if (source && source.type !== undefined && source.type !== 'array') {
        problems.push({ step: step.id, field: 'items', message: `gives ${String(source.type)} by the output_schema it reads, not a list` });
      }
      break;
    }
    case 'loop':
      check('until', step.until, true);
      break;
    case 'wait':
      if (step.until) check('until', step.until);
      break;
    case 'workflow': {
      check('input', step.input);
      if (step.workflow === workflowName) {
        problems.push({ step: step.id, field: 'workflow', message: `names this workflow itself; a workflow cannot run itself as a step` });
        break;
      }
      const inputs = await catalogue.workflowInputs(step.workflow);
      if (inputs === undefined) {
        problems.push({ step: step.id, field: 'workflow', message: `there is no workflow "${step.workflow}"` });
        break;
      }
      const properties = (inputs.properties ?? {}) as Record<string, { type?: unknown }>;
      for (const [name, value] of Object.entries(step.input)) {
        const expected = properties[name]?.type;
        // A string is text unless it is one template; then its type is the output_schema's at the path it reads.
        const template = typeof value === 'string' && value.trim().startsWith('${{');
        const given = template ? referencedOutputSchema(value, byId)?.type : jsonType(value);
        if (expected !== undefined && given !== undefined && !typesMatch(expected, given)) {
          problems.push({
            step: step.id,
            field: `input.${name}`,
            message: `is ${String(given)}, but workflow "${step.workflow}" takes ${String(expected)}`,
          });
        }
      }
      for (const required of (inputs.required ?? []) as string[]) {
        if (!(required in step.input))
          problems.push({ step: step.id, field: `input.${required}`, message: `workflow "${step.workflow}" requires it` });
      }
      break;
    }
    case 'parallel':
      break;
  }
}

function checkExpression(
  expression: string,
  step: WorkflowStep | undefined,
  field: string,
  byId: Map<string, WorkflowStep>,
  problems: WorkflowProblem[],
): void {
  const problem = expressionProblem(expression);
  if (problem) {
    problems.push({ ...(step ? { step: step.id } : {}), field, message: `the expression \`${expression}\` ${problem}` });
    return;
  }
  for (const match of expression.matchAll(STEP_REFERENCE)) {
    const id = match[1] ?? '';
    if (!byId.has(id))
      problems.push({
        ...(step ? { step: step.id } : {}),
        field,
        message: `\`${expression}\` reads steps.${id}, but no step has the id "${id}"`,
      });
    else if (step && id === step.id) problems.push({ step: step.id, field, message: `\`${expression}\` reads the step's own output` });
  }
}

/** The schema at `steps.X.output.a.b` when the whole value is that path and step X declares its output schema. */
function referencedOutputSchema(value: string, byId: Map<string, WorkflowStep>): { type?: unknown } | undefined {
  const text = value.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1');
  const match = /^steps\.([a-zA-Z][a-zA-Z0-9_]*)\.output((?:\.[a-zA-Z_][a-zA-Z0-9_]*)*)$/.exec(text);
  if (!match) return undefined;
  let schema = byId.get(match[1] ?? '')?.output_schema as Record<string, unknown> | undefined;
  for (const key of (match[2] ?? '').split('.').filter(Boolean)) {
    schema = ((schema?.properties ?? {}) as Record<string, Record<string, unknown>>)[key];
  }
  return schema as { type?: unknown } | undefined;
}

function jsonType(value: unknown): string | undefined {
  if (typeof value === 'string') return value.includes('${{') ? undefined : 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return 'object';
}

function typesMatch(expected: unknown, given: unknown): boolean {
  const wanted = Array.isArray(expected) ? expected : [expected];
  return wanted.includes(given) || (given === 'integer' && wanted.includes('number'));
}

/** A schedule's input is the run's input (checked against `spec.inputs`); an event's templates read only `event`. */
async function checkTriggers(document: WorkflowDocument, catalogue: WorkflowCatalogue, problems: WorkflowProblem[]): Promise<void> {
  const { triggers, inputs } = document.spec;
  for (const [index, schedule] of (triggers?.schedules ?? []).entries()) {
    const problem = inputs ? schemaProblem(inputs, schedule.input) : undefined;
    if (problem) problems.push({ field: `spec.triggers.schedules.${index}.input`, message: `does not match spec.inputs: ${problem}` });
  }
  for (const [index, trigger] of (triggers?.events ?? []).entries()) {
    const field = `spec.triggers.events.${index}`;
    for (const expression of expressionsIn(trigger.input)) {
      const problem = expressionProblem(expression);
      const variable = RUN_VARIABLE.exec(expression)?.[1];
      if (problem) problems.push({ field: `${field}.input`, message: `the expression \`${expression}\` ${problem}` });
      else if (variable) {
        problems.push({
          field: `${field}.input`,
          message: `\`${expression}\` reads ${variable}, but a trigger's templates see only \`event\``,
        });
      }
    }
    if (trigger.on === 'agent_run.completed' && trigger.agent && !(await catalogue.agentExists(trigger.agent))) {
      problems.push({ field: `${field}.agent`, message: `there is no agent "${trigger.agent}"` });
    }
  }
}
