import { stringify } from 'yaml';
import type { WorkflowStep } from './workflow-types';

/** Every step of a body, nested ones included, in document order. */
export function allSteps(steps: readonly WorkflowStep[]): WorkflowStep[] {
  return steps.flatMap((step) => {
    const inner = step.kind === 'parallel' ? step.branches.flatMap((branch) => branch.steps) : step.kind === 'map' || step.kind === 'loop' ? step.steps : [];
    return [step, ...allSteps(inner)];
  });
}

const FIRST = ['apiVersion', 'id', 'name', 'kind', 'metadata'];
const LAST = ['cases', 'branches', 'steps'];
const rank = (key: string): number => (FIRST.includes(key) ? FIRST.indexOf(key) - FIRST.length : LAST.includes(key) ? LAST.indexOf(key) + 1 : 0);

/** Keys in the order a person writes them (the hub stores them sorted): what a thing is first, its body last. */
function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).map(([key, inner]) => [key, ordered(inner)] as const);
  return Object.fromEntries(entries.sort(([a], [b]) => rank(a) - rank(b)));
}

/** A document or a step as YAML, in the order it is written. */
export const yamlOf = (value: unknown): string => stringify(ordered(value), { lineWidth: 0 });
