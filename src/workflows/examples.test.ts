/**
 * The shipped example workflows (`examples/workflows/*.yaml`) load and pass save-time validation against a hub
 * holding what `examples/workflows/README.md` tells the reader to set up: the support app's agent and store
 * tools, and the model `gpt-4o-mini`. Their tool calls name real tools with the arguments those take, and the
 * README's sample inputs match the examples' `spec.inputs`.
 *
 * The support app sits below workflows in the layer table, so its tools are read from its source here rather
 * than imported: the names of `SUPPORT_TOOLS` in its registry, each tool's `defineTool` name and parameters,
 * and the `support-<tool>` names it registers them under.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allSteps, type WorkflowDocument, type WorkflowStep } from './document.js';
import { loadWorkflowDocument } from './load.js';
import { schemaProblem } from './run/json-check.js';
import { validateWorkflow, type WorkflowCatalogue, workflowProblems } from './validate.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples', 'workflows');
const SUPPORT = join(ROOT, 'src', 'apps', 'support');
/** The models the examples' README asks the reader to route. */
const MODELS = new Set(['gpt-4o-mini']);

const read = (path: string): string => readFileSync(path, 'utf8');
const firstMatch = (pattern: RegExp, text: string, what: string): string => {
  const found = pattern.exec(text)?.[1];
  if (found === undefined) throw new Error(`cannot find ${what} in the support app's source (${pattern}); update this test`);
  return found;
};

/** The support app's tools by τ² name, each with its parameter names (all required, as τ²'s are). */
function supportToolsFromSource(): Map<string, string[]> {
  const toolsDir = join(SUPPORT, 'tools');
  const source = readdirSync(toolsDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => read(join(toolsDir, file)))
    .join('\n');
  const shared = new Map<string, string[]>();
  for (const [, name, parameter] of source.matchAll(/export const ([A-Z][A-Z0-9_]*) = \{\s*name: '([a-z0-9_]+)'/g)) {
    shared.set(name as string, [parameter as string]);
  }
  for (const [, name, list] of source.matchAll(/export const ([A-Z][A-Z0-9_]*) = \[([\s\S]*?)\] as const/g)) {
    shared.set(
      name as string,
      [...(list as string).matchAll(/name: '([a-z0-9_]+)'/g)].map((match) => match[1] as string),
    );
  }
  const registry = firstMatch(
    /SUPPORT_TOOLS: readonly SupportTool\[\] = \[([\s\S]*?)\];/,
    read(join(toolsDir, 'registry.ts')),
    'SUPPORT_TOOLS',
  );
  const tools = new Map<string, string[]>();
  for (const identifier of registry
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)) {
    const definition = new RegExp(`export const ${identifier} = defineTool\\(\\{\\s*name: '([a-z0-9_]+)',([\\s\\S]*?)\\n  run:`).exec(
      source,
    );
    if (!definition) throw new Error(`cannot find the defineTool of ${identifier}; update this test`);
    const parameters = firstMatch(/parameters: \[([\s\S]*)\],\s*$/, definition[2] as string, `the parameters of ${identifier}`);
    const literal = [...parameters.matchAll(/name: '([a-z0-9_]+)'/g)].map((match) => match[1] as string);
    const withoutStrings = parameters.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, '');
    const named = [...withoutStrings.matchAll(/\b([A-Z][A-Z0-9_]+)\b/g)].flatMap(([, constant]) => {
      const names = shared.get(constant as string);
      if (!names) throw new Error(`${identifier}'s parameters use ${constant}, which this test cannot resolve; update it`);
      return names;
    });
    tools.set(definition[1] as string, [...named, ...literal]);
  }
  return tools;
}

const supportTools = supportToolsFromSource();
const supportApp = read(join(SUPPORT, 'support-app.ts'));
/** `support-` in `support-return_delivered_order_items`. */
const toolPrefix = firstMatch(/supportToolRef = \(tool: string\): string => `([a-z-]*)\$\{tool\}`/, supportApp, 'supportToolRef');
/** An installation's agent is named after it; the default name is the agent the examples use. */
const supportAgent = firstMatch(/const name = request\.name \?\? '([a-zA-Z0-9_-]+)';/, supportApp, "the installation's default name");

const catalogue: WorkflowCatalogue = {
  agentExists: async (name) => name === supportAgent,
  modelExists: (name) => MODELS.has(name),
  appToolExists: (name) => name.startsWith(toolPrefix) && supportTools.has(name.slice(toolPrefix.length)),
  workflowInputs: async () => undefined,
};

const files = readdirSync(EXAMPLES)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
const documents = new Map(files.map((file) => [file, loadWorkflowDocument(read(join(EXAMPLES, file)))]));
const documentOf = (file: string): WorkflowDocument => documents.get(file) as WorkflowDocument;
const toolSteps = (document: WorkflowDocument) =>
  allSteps(document.spec.steps).filter((step): step is Extract<WorkflowStep, { kind: 'tool' }> => step.kind === 'tool');

describe('the example workflows', () => {
  it('are the three the README describes', () => {
    expect(files).toEqual(['damaged-return.yaml', 'supplier-quotes.yaml', 'weekly-usage-report.yaml']);
  });

  it.each(files)('%s is named after its file and has no problems', async (file) => {
    const document = documentOf(file);
    expect(document.metadata.name).toBe(file.replace(/\.yaml$/, ''));
    expect(await workflowProblems(document, catalogue)).toEqual([]);
    await expect(validateWorkflow(document, catalogue)).resolves.toBeUndefined();
  });

  it.each(files)("%s's JSON Schemas compile", (file) => {
    const { spec } = documentOf(file);
    const schemas = [spec.inputs, spec.outputs, ...allSteps(spec.steps).map((step) => step.output_schema)];
    for (const schema of schemas.filter((found) => found !== undefined)) {
      expect(schemaProblem(schema, null) ?? '').not.toMatch(/does not compile/);
    }
  });

  it.each(files)('%s calls the support tools by the names and with the arguments they take', (file) => {
    for (const step of toolSteps(documentOf(file)).filter((found) => found.tool.type === 'app')) {
      const name = step.function ?? '';
      expect(step.tool.name, step.id).toBe(`${toolPrefix}${name}`);
      expect(Object.keys(step.arguments).sort(), step.id).toEqual([...(supportTools.get(name) ?? ['(no such tool)'])].sort());
    }
  });

  it.each(files)('%s gives its HTTP tools every required argument and only declared ones', (file) => {
    for (const step of toolSteps(documentOf(file))) {
      if (step.tool.type !== 'http') continue;
      const parameters = step.tool.parameters as { properties?: Record<string, unknown>; required?: string[] };
      const given = Object.keys(step.arguments);
      expect(
        given.filter((key) => !(key in (parameters.properties ?? {}))),
        step.id,
      ).toEqual([]);
      expect(
        (parameters.required ?? []).filter((key) => !given.includes(key)),
        step.id,
      ).toEqual([]);
    }
  });

  it("match the README's sample inputs, one per example", () => {
    const readme = read(join(EXAMPLES, 'README.md'));
    const samples = [...readme.matchAll(/tokenhub workflows run ([a-z0-9-]+) --input '([^']+)'/g)];
    expect(samples.map(([, name]) => `${name}.yaml`).sort()).toEqual(files);
    for (const [, name, input] of samples) {
      const { spec } = documentOf(`${name}.yaml`);
      expect(schemaProblem(spec.inputs ?? {}, JSON.parse(input as string)), name).toBeUndefined();
    }
  });

  it('fail against a hub that lacks what they name', async () => {
    const bare: WorkflowCatalogue = { ...catalogue, agentExists: async () => false, modelExists: () => false, appToolExists: () => false };
    const fields = (await Promise.all(files.map((file) => workflowProblems(documentOf(file), bare))))
      .flat()
      .map((problem) => problem.field);
    expect(new Set(fields)).toEqual(new Set(['agent', 'model', 'tool.name']));
  });
});
