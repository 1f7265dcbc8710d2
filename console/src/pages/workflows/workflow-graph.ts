// `.js` on type-only imports: they are erased for Vite, and the root's NodeNext type check (its tests import this file) needs them.
import type { StepKind, WorkflowDocument, WorkflowStep } from './workflow-types.js';

/**
 * A workflow document as a graph: one node per step, bodies (parallel branches, map and loop bodies) as
 * container nodes holding their steps, and the edges the interpreter can follow. Pure: no layout, no React.
 */
export type GraphNodeKind = StepKind | 'lane' | 'start' | 'end';

export interface GraphNode {
  /** The step id (unique across the document); a parallel branch's lane is `<parallel id>/<branch name>`. */
  id: string;
  kind: GraphNodeKind;
  /** The step id, or the branch's name for a lane. */
  label: string;
  /** What the step works with: the agent, model, tool, title, items or condition. */
  detail: string | null;
  /** The container this node sits in (null: the top-level body). */
  parentId: string | null;
  /** Holds a body: its children are laid out inside it (a parallel's children are its lanes, side by side). */
  container: boolean;
  /** The step runs only when its `if` holds. */
  conditional: boolean;
  step: WorkflowStep | null;
}

/**
 * `next`: list order or a step's `next`; `case`: a branch case (labelled with its `when`); `default`: a
 * branch's default (or its fall-through when it has none); `on_error`, `exhausted`, `on_timeout`: the paths a
 * failure, a loop that ran out and a person who never answered take; `start`, `end`: the workflow's ends.
 */
export type GraphEdgeKind = 'next' | 'case' | 'default' | 'on_error' | 'exhausted' | 'on_timeout' | 'start' | 'end';

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: GraphEdgeKind;
  /** A branch case's condition; the other kinds are named by their kind. */
  condition: string | null;
}

export interface WorkflowGraph {
  /** Parents before their children (as React Flow needs them). */
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const START_NODE = '__start';
export const END_NODE = '__end';

const laneId = (parallelId: string, branch: string): string => `${parallelId}/${branch}`;

function detailOf(step: WorkflowStep): string | null {
  switch (step.kind) {
    case 'agent':
      return step.version ? `${step.agent} v${step.version}` : step.agent;
    case 'llm':
      return step.model;
    case 'tool':
      return [step.tool.name ?? step.tool.type, step.function].filter(Boolean).join(' · ');
    case 'human':
      return step.title;
    case 'branch':
      return null;
    case 'parallel':
      return null;
    case 'map':
      return step.items;
    case 'loop':
      return step.until;
    case 'wait':
      return step.seconds !== undefined ? `${step.seconds} s` : (step.until ?? null);
    case 'workflow':
      return step.version ? `${step.workflow} v${step.version}` : step.workflow;
  }
}

/** The steps a body holds directly: a parallel's come through its lanes. */
function bodiesOf(step: WorkflowStep): { id: string; label: string; steps: WorkflowStep[] }[] {
  if (step.kind === 'parallel') return step.branches.map((branch) => ({ id: laneId(step.id, branch.name), label: branch.name, steps: branch.steps }));
  return [];
}

export function workflowGraph(document: WorkflowDocument): WorkflowGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const edgeIds = new Set<string>();
  const addEdge = (source: string, target: string, kind: GraphEdgeKind, condition: string | null = null) => {
    let id = `${source}->${target}:${kind}`;
    for (let copy = 2; edgeIds.has(id); copy++) id = `${source}->${target}:${kind}:${copy}`;
    edgeIds.add(id);
    edges.push({ id, source, target, kind, condition });
  };

  /** Adds a body's steps under `parentId` and the edges between them; `top`: the workflow's own body. */
  const addBody = (steps: readonly WorkflowStep[], parentId: string | null, top: boolean) => {
    const inBody = new Set(steps.map((step) => step.id));
    // An edge leads only to a step of the same body (the interpreter's rule); anything else is left out.
    const to = (source: string, target: string | undefined, kind: GraphEdgeKind, condition: string | null = null) => {
      if (target !== undefined && inBody.has(target)) addEdge(source, target, kind, condition);
    };
    steps.forEach((step, index) => {
      const container = step.kind === 'parallel' || step.kind === 'map' || step.kind === 'loop';
      nodes.push({
        id: step.id,
        kind: step.kind,
        label: step.id,
        detail: detailOf(step),
        parentId,
        container,
        conditional: step.if !== undefined,
        step,
      });
      if (step.kind === 'parallel') {
        for (const lane of bodiesOf(step)) {
          nodes.push({ id: lane.id, kind: 'lane', label: lane.label, detail: null, parentId: step.id, container: true, conditional: false, step: null });
          addBody(lane.steps, lane.id, false);
        }
      } else if (step.kind === 'map' || step.kind === 'loop') {
        addBody(step.steps, step.id, false);
      }

      const following = steps[index + 1]?.id;
      const fallsOff = (kind: GraphEdgeKind) => {
        if (top) addEdge(step.id, END_NODE, kind === 'next' ? 'end' : kind);
      };
      if (step.kind === 'branch') {
        step.cases.forEach((branchCase) => to(step.id, branchCase.next, 'case', branchCase.when));
        const otherwise = step.default ?? step.next ?? following;
        if (otherwise !== undefined) to(step.id, otherwise, 'default');
        else fallsOff('default');
      } else if (step.end) {
        if (top) addEdge(step.id, END_NODE, 'end');
      } else {
        const target = step.next ?? following;
        if (target !== undefined) to(step.id, target, 'next');
        else fallsOff('next');
      }
      to(step.id, step.on_error, 'on_error');
      if (step.kind === 'loop') to(step.id, step.exhausted, 'exhausted');
      if (step.kind === 'human') to(step.id, step.on_timeout, 'on_timeout');
    });
  };

  nodes.push({ id: START_NODE, kind: 'start', label: 'start', detail: null, parentId: null, container: false, conditional: false, step: null });
  addBody(document.spec.steps, null, true);
  const first = document.spec.steps[0];
  if (first) edges.unshift({ id: `${START_NODE}->${first.id}:start`, source: START_NODE, target: first.id, kind: 'start', condition: null });
  if (edges.some((edge) => edge.target === END_NODE)) {
    nodes.push({ id: END_NODE, kind: 'end', label: 'end', detail: null, parentId: null, container: false, conditional: false, step: null });
  }
  return { nodes, edges };
}

/** Each node's children, in document order (the top-level body under `null`). */
export function childrenByParent(graph: WorkflowGraph): Map<string | null, GraphNode[]> {
  const children = new Map<string | null, GraphNode[]>();
  for (const node of graph.nodes) {
    const siblings = children.get(node.parentId) ?? [];
    siblings.push(node);
    children.set(node.parentId, siblings);
  }
  return children;
}
