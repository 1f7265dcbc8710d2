import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TauAction, TauTask } from '../apps/support/index.js';
import { EvalRunError } from './eval-run-error.js';

/** τ²'s structured user instructions (its `StructuredUserInstructions`), or a plain string. */
export interface TauUserInstructions {
  domain?: string | null;
  reason_for_call?: string | null;
  known_info?: string | null;
  unknown_info?: string | null;
  task_instructions?: string | null;
}

/** A task of a suite, in τ²'s task format (`tasks.json`). */
export interface EvalTask extends TauTask {
  description?: { purpose?: string | null; relevant_policies?: string | null; notes?: string | null } | null;
  user_scenario: { persona?: string | null; instructions: TauUserInstructions | string };
  initial_state?: unknown;
  evaluation_criteria?: (TauTask['evaluation_criteria'] & { actions?: TauAction[] | null }) | null;
}

export interface EvalSuite {
  name: string;
  /** Where it was read from. */
  path: string;
  tasks: EvalTask[];
}

const fromHere = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

/**
 * Where a named suite is looked for, first found wins: `$TOKENHUB_EVAL_SUITES/<name>/tasks-train.json`, the
 * shared benchmark folder next to the repository (`../shared/benchmarks/<name>/`, from src/ or dist/), and
 * `./benchmarks/<name>/` under the working directory.
 */
export function suitePaths(name: string): string[] {
  const file = `${name}/tasks-train.json`;
  return [
    ...(process.env.TOKENHUB_EVAL_SUITES ? [`${process.env.TOKENHUB_EVAL_SUITES.replace(/\/+$/, '')}/${file}`] : []),
    fromHere(`../../../shared/benchmarks/${file}`),
    fromHere(`../../../../shared/benchmarks/${file}`),
    `${process.cwd()}/benchmarks/${file}`,
  ];
}

/** The built-in suites by name: `tau-retail` is τ²'s retail training split (74 tasks). */
export const DEFAULT_SUITE_PATHS = { 'tau-retail': suitePaths('tau-retail') } as const;

/** Reads a suite: a built-in name (see `suitePaths`) or a JSON file holding an array of τ² tasks. */
export function loadSuite(nameOrPath: string): EvalSuite {
  const builtIn = Object.hasOwn(DEFAULT_SUITE_PATHS, nameOrPath);
  const candidates = builtIn ? suitePaths(nameOrPath) : [nameOrPath];
  const path = candidates.find((candidate) => existsSync(candidate));
  if (!path) {
    const where = builtIn
      ? `put τ²'s tasks file at one of: ${candidates.join(', ')} (or set TOKENHUB_EVAL_SUITES to a folder holding ${nameOrPath}/tasks-train.json)`
      : 'give a JSON file holding an array of τ² tasks';
    throw new EvalRunError(`No suite \`${nameOrPath}\`: ${where}.`);
  }
  return { name: builtIn ? nameOrPath : path, path, tasks: parseTasks(readFileSync(path, 'utf8'), path) };
}

export function parseTasks(text: string, source: string): EvalTask[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new EvalRunError(`${source} is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new EvalRunError(`${source} must hold an array of τ² tasks.`);
  for (const [index, task] of value.entries()) {
    const record = task as Partial<EvalTask> | null;
    if (typeof record?.id !== 'string' || typeof record.user_scenario?.instructions === 'undefined') {
      throw new EvalRunError(`${source}: task ${index} needs a string \`id\` and \`user_scenario.instructions\`.`);
    }
  }
  return value as EvalTask[];
}

/** The tasks `ids` names, in the suite's order; every id must exist. */
export function selectTasks(suite: EvalSuite, ids?: readonly string[]): EvalTask[] {
  if (!ids || ids.length === 0) return suite.tasks;
  const missing = ids.filter((id) => !suite.tasks.some((task) => task.id === id));
  if (missing.length > 0) {
    throw new EvalRunError(`Suite ${suite.name} has no task ${missing.join(', ')}.`);
  }
  return suite.tasks.filter((task) => ids.includes(task.id));
}

/** τ²'s rendering of user instructions for the simulator's system prompt. */
export function instructionsText(task: EvalTask): string {
  const instructions = task.user_scenario.instructions;
  const persona = task.user_scenario.persona ? `Persona:\n${task.user_scenario.persona}\n\n` : '';
  if (typeof instructions === 'string') return `${persona}${instructions}`;
  const parts: [string, string | null | undefined][] = [
    ['Domain', instructions.domain],
    ['Reason for call', instructions.reason_for_call],
    ['Known info', instructions.known_info],
    ['Unknown info', instructions.unknown_info],
    ['Task instructions', instructions.task_instructions],
  ];
  return (
    persona +
    parts
      .filter((part): part is [string, string] => typeof part[1] === 'string' && part[1].length > 0)
      .map(([label, value]) => `${label}:\n${value}`)
      .join('\n')
  );
}

/** Whether the task's expected outcome is a hand-off to a person. */
export const expectsTransfer = (task: TauTask): boolean =>
  (task.evaluation_criteria?.actions ?? []).some((action) => action.name === 'transfer_to_human_agents');
