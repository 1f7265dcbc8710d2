import { END_NODE, START_NODE, type WorkflowGraph } from './workflow-graph.js';
import type { RunStepStatus, WorkflowRun, WorkflowRunStep } from './workflow-types.js';

/**
 * What a run did at each node of its workflow's graph. A step inside a map or a loop ran many times (one key
 * per item or pass: `quotes[3].ask`, `refine#2.draft`): its node shows them together, the most pressing state
 * first; a map node counts its items.
 */
export type NodeRunStatus = RunStepStatus | 'not_reached';

export interface MapItemState {
  /** `quotes[3]` (inside another map or loop: `outer[1].quotes[3]`). */
  key: string;
  index: number;
  status: RunStepStatus;
}

export interface MapItems {
  /** The items started (when the map finished: all of them). */
  total: number;
  totalKnown: boolean;
  completed: number;
  failed: number;
  items: MapItemState[];
}

export interface NodeRunState {
  status: NodeRunStatus;
  /** Every key the step ran under, in the run's order. */
  instances: WorkflowRunStep[];
  items: MapItems | null;
}

/** Which state a node shows when its instances differ: what still moves, then what went wrong, then what went well. */
const PRECEDENCE: readonly RunStepStatus[] = ['running', 'waiting', 'failed', 'timed_out', 'exhausted', 'completed', 'skipped'];

export function combinedStatus(statuses: readonly RunStepStatus[]): NodeRunStatus {
  for (const status of PRECEDENCE) if (statuses.includes(status)) return status;
  return 'not_reached';
}

/** The items of one map step run under `key`, from the keys of the steps its body ran. */
function mapItemsOf(instance: WorkflowRunStep, steps: readonly WorkflowRunStep[]): MapItemState[] {
  const prefix = `${instance.key}[`;
  const byIndex = new Map<number, RunStepStatus[]>();
  for (const step of steps) {
    if (!step.key.startsWith(prefix)) continue;
    const match = /^(\d+)\]\./.exec(step.key.slice(prefix.length));
    if (!match) continue;
    const index = Number(match[1]);
    byIndex.set(index, [...(byIndex.get(index) ?? []), step.status]);
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, statuses]) => {
      // A finished map finished every item, whatever error path one of its steps took on the way.
      const combined = instance.status === 'completed' ? 'completed' : combinedStatus(statuses);
      return { key: `${instance.key}[${index}]`, index, status: combined === 'not_reached' ? 'running' : combined };
    });
}

export function runStates(graph: WorkflowGraph, run: WorkflowRun): Map<string, NodeRunState> {
  const byId = new Map<string, WorkflowRunStep[]>();
  for (const step of run.steps) byId.set(step.id, [...(byId.get(step.id) ?? []), step]);
  const states = new Map<string, NodeRunState>();
  for (const node of graph.nodes) {
    if (!node.step) continue;
    const instances = byId.get(node.id) ?? [];
    let items: MapItems | null = null;
    if (node.kind === 'map') {
      const all = instances.flatMap((instance) => mapItemsOf(instance, run.steps));
      // A finished map ran every item (its control step keeps no output of its own: its items are the count).
      const totalKnown = instances.length > 0 && instances.every((instance) => instance.status === 'completed');
      const listed = instances.reduce((sum, instance) => sum + (Array.isArray(instance.output) ? instance.output.length : 0), 0);
      items = {
        total: Math.max(listed, all.length),
        totalKnown,
        completed: all.filter((item) => item.status === 'completed').length,
        failed: all.filter((item) => item.status === 'failed').length,
        items: all,
      };
    }
    states.set(node.id, { status: combinedStatus(instances.map((instance) => instance.status)), instances, items });
  }
  // A lane shows what its steps did together.
  for (const node of graph.nodes) {
    if (node.kind !== 'lane') continue;
    const inside = graph.nodes.filter((child) => child.parentId === node.id).map((child) => states.get(child.id)?.status ?? 'not_reached');
    const reached = inside.filter((status): status is RunStepStatus => status !== 'not_reached');
    states.set(node.id, { status: combinedStatus(reached), instances: [], items: null });
  }
  return states;
}

export type EdgeRunState = 'taken' | 'not_taken' | 'unknown';

/**
 * Which edges the run went along, as far as its record tells: an edge whose source finished and whose target
 * was reached is taken, unless another edge of that source also reached its target (a branch whose default
 * step was reached by another path too): then which one the run took is not known, and the edge says so.
 */
export function edgeStates(graph: WorkflowGraph, states: ReadonlyMap<string, NodeRunState>, run: WorkflowRun): Map<string, EdgeRunState> {
  const reached = (id: string): boolean => {
    if (id === START_NODE) return true;
    if (id === END_NODE) return run.status === 'completed';
    const status = states.get(id)?.status;
    return status !== undefined && status !== 'not_reached' && status !== 'skipped';
  };
  const done = (id: string): boolean =>
    id === START_NODE || ['completed', 'failed', 'timed_out', 'exhausted', 'skipped'].includes(states.get(id)?.status ?? '');
  const result = new Map<string, EdgeRunState>();
  for (const edge of graph.edges) {
    if (!done(edge.source) || !reached(edge.target)) {
      result.set(edge.id, 'not_taken');
      continue;
    }
    const rivals = graph.edges.filter((other) => other.source === edge.source && other.target !== edge.target && reached(other.target));
    result.set(edge.id, rivals.length > 0 ? 'unknown' : 'taken');
  }
  return result;
}
