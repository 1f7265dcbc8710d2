import { parse as parseYaml } from 'yaml';
import { HubError } from '../core/index.js';
import { WORKFLOW_API_VERSION, type WorkflowDocument, workflowDocumentSchema } from './document.js';

/** The largest workflow document accepted, as text. */
export const MAX_DOCUMENT_BYTES = 1_000_000;
/** The deepest nesting of objects and lists accepted (as for JSON bodies). */
export const MAX_DOCUMENT_DEPTH = 64;

type Raw = Record<string, unknown>;

/**
 * Older `apiVersion`s and how each becomes the next: a document is carried forward one version at a time
 * until it is current, so every document ever accepted keeps loading.
 */
const MIGRATIONS: Record<string, { to: string; migrate(document: Raw): Raw }> = {
  // v1alpha1 (the first preview): name and steps at the top level, `type` for a step's kind, `goto` for next
  // (a branch case's too), `input_schema` for the inputs, and a loop's limit called `max_loops`.
  'tokenhub.dev/v1alpha1': {
    to: 'tokenhub.dev/v1beta1',
    migrate: (document) => {
      const { name, description, input_schema, output_schema, steps, budget_usd, apiVersion: _, kind, ...rest } = document;
      return {
        ...rest,
        apiVersion: 'tokenhub.dev/v1beta1',
        kind: kind ?? 'Workflow',
        metadata: { name, ...(description !== undefined ? { description } : {}) },
        spec: {
          ...(input_schema !== undefined ? { inputs: input_schema } : {}),
          ...(output_schema !== undefined ? { outputs: output_schema } : {}),
          ...(budget_usd !== undefined ? { max_cost_usd: budget_usd } : {}),
          steps: mapSteps(steps, alphaStepToBeta),
        },
      };
    },
  },
  // v1beta1: the shape of v1, but a human step's `approve_only: true` instead of `mode: approval`, and
  // retries as `retries: N` (attempts after the first) instead of `retry: { max_attempts }`.
  'tokenhub.dev/v1beta1': {
    to: WORKFLOW_API_VERSION,
    migrate: (document) => ({
      ...document,
      apiVersion: WORKFLOW_API_VERSION,
      spec: { ...(document.spec as Raw), steps: mapSteps((document.spec as Raw | undefined)?.steps, betaStepToV1) },
    }),
  },
};

export const SUPPORTED_API_VERSIONS = [...Object.keys(MIGRATIONS), WORKFLOW_API_VERSION];

/** A document as text (YAML or JSON, which is YAML) or as a parsed object, into the current shape, checked. */
export function loadWorkflowDocument(source: unknown): WorkflowDocument {
  let raw = typeof source === 'string' ? parseText(source) : source;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid('The workflow document must be an object with apiVersion, kind, metadata and spec.', 'document');
  }
  if (depthOver(raw, MAX_DOCUMENT_DEPTH)) throw tooDeep();
  let version = (raw as Raw).apiVersion;
  // Each migration moves one version on; the bound keeps a table that ever pointed back at itself from looping.
  for (let hops = 0; typeof version === 'string' && version !== WORKFLOW_API_VERSION && MIGRATIONS[version]; hops++) {
    if (hops >= SUPPORTED_API_VERSIONS.length) throw new Error(`workflow migrations do not reach ${WORKFLOW_API_VERSION} from ${version}`);
    raw = (MIGRATIONS[version] as (typeof MIGRATIONS)[string]).migrate(raw as Raw);
    version = (raw as Raw).apiVersion;
  }
  if (version !== WORKFLOW_API_VERSION) {
    throw invalid(
      `Invalid apiVersion: ${JSON.stringify(version ?? null)} is not one this hub reads (${SUPPORTED_API_VERSIONS.join(', ')}).`,
      'apiVersion',
    );
  }
  const parsed = workflowDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = deepestIssue(parsed.error.issues);
    const path = issue.path.map(String);
    const where = describePath(raw as Raw, path);
    throw invalid(`Invalid workflow: ${where}: ${issue.message}`, path.join('.') || 'document');
  }
  return parsed.data as WorkflowDocument;
}

function parseText(text: string): unknown {
  if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) throw invalid(`The workflow document is over ${MAX_DOCUMENT_BYTES} bytes.`, 'document');
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    // The YAML parser recurses per level: a document nested thousands deep overflows it before our check.
    if (/maximum call stack/i.test((error as Error).message)) throw tooDeep();
    throw invalid(`The workflow document is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`, 'document');
  }
}

/** Names the step a problem is in by its id (`steps.refund.prompt`), not only by its position. */
function describePath(raw: Raw, path: string[]): string {
  const parts: string[] = [];
  let node: unknown = raw;
  for (const segment of path) {
    const next = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    const id = next !== null && typeof next === 'object' && !Array.isArray(next) ? (next as Raw).id : undefined;
    parts.push(Array.isArray(node) && typeof id === 'string' ? `${segment} (step "${id}")` : segment);
    node = next;
  }
  return parts.join('.') || 'the document';
}

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  errors?: Issue[][];
}

/** A union's issue says little ("invalid input"); the deepest issue among its branches says what is wrong. */
function deepestIssue(issues: readonly Issue[]): Issue {
  let best = issues[0] as Issue;
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors) {
      for (const branch of issue.errors) {
        const inner = deepestIssue(branch.map((child) => ({ ...child, path: [...issue.path, ...child.path] })));
        if (inner.path.length > best.path.length || best === issue) best = inner;
      }
    } else if (issue.path.length > best.path.length) best = issue;
  }
  return best;
}

const tooDeep = (): HubError => invalid(`The workflow document nests deeper than ${MAX_DOCUMENT_DEPTH} levels.`, 'document');

function invalid(message: string, param: string): HubError {
  return new HubError('INVALID_REQUEST', message, { param, code: 'invalid_workflow' });
}

function mapSteps(steps: unknown, change: (step: Raw) => Raw): unknown {
  if (!Array.isArray(steps)) return steps;
  return steps.map((step) => {
    if (step === null || typeof step !== 'object') return step;
    const changed = change({ ...(step as Raw) });
    if (Array.isArray(changed.steps)) changed.steps = mapSteps(changed.steps, change);
    if (Array.isArray(changed.branches)) {
      changed.branches = changed.branches.map((branch: unknown) =>
        branch !== null && typeof branch === 'object' ? { ...(branch as Raw), steps: mapSteps((branch as Raw).steps, change) } : branch,
      );
    }
    return changed;
  });
}

const ALPHA_STEP_KEYS: Record<string, string> = { type: 'kind', goto: 'next', max_loops: 'max_iterations' };

function alphaStepToBeta(step: Raw): Raw {
  const renamed = Object.fromEntries(Object.entries(step).map(([key, value]) => [ALPHA_STEP_KEYS[key] ?? key, value]));
  if (Array.isArray(renamed.cases)) {
    renamed.cases = renamed.cases.map((branchCase: unknown) => {
      if (branchCase === null || typeof branchCase !== 'object' || !('goto' in branchCase)) return branchCase;
      const { goto, ...rest } = branchCase as Raw;
      return { ...rest, next: goto };
    });
  }
  return renamed;
}

/** Whether objects and lists nest deeper than `limit` (walked with a stack: a deep document must not overflow ours). */
function depthOver(value: unknown, limit: number): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

function betaStepToV1(step: Raw): Raw {
  const { approve_only, retries, ...rest } = step;
  if (approve_only !== undefined) rest.mode = approve_only === true ? 'approval' : 'form';
  if (typeof retries === 'number') rest.retry = { max_attempts: retries + 1 };
  return rest;
}
