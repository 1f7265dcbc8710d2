import { createHash } from 'node:crypto';
import type { RetailDb } from './model.js';
import type { ConversationMessage } from './policy/conversation.js';
import { pyDumps } from './python/json.js';
import { dbDump } from './render.js';
import type { StoreAccess } from './store/store-access.js';
import { runRawTool, supportTool } from './tools/registry.js';

/** One expected tool call of a τ² task (`evaluation_criteria.actions[]`). */
export interface TauAction {
  action_id?: string;
  name: string;
  arguments: Record<string, unknown>;
  requestor?: 'assistant' | 'user';
  info?: string | null;
}

/** The parts of a τ² task the rewards read. */
export interface TauTask {
  id: string;
  evaluation_criteria?: {
    actions?: TauAction[] | null;
    communicate_info?: string[] | null;
    nl_assertions?: string[] | null;
    reward_basis?: string[];
  } | null;
}

export interface ReplayedAction {
  action: TauAction;
  ok: boolean;
  /** τ²'s result or error text. */
  text: string;
}

export interface ReplayReport {
  actions: ReplayedAction[];
  /** Expected writes that failed: the expected store is then incomplete and a DB match proves nothing (τ² reports db_check=None). */
  failedWrites: ReplayedAction[];
}

/**
 * Applies a task's expected actions, in order, with τ²'s raw tools (no policy) to `store`, as τ²'s
 * evaluator replays the gold trajectory. A failing read is harmless; a failing write is reported.
 */
export async function replayExpectedActions(task: TauTask, store: StoreAccess): Promise<ReplayReport> {
  const actions: ReplayedAction[] = [];
  const failedWrites: ReplayedAction[] = [];
  for (const action of task.evaluation_criteria?.actions ?? []) {
    const outcome = await runRawTool(action.name, action.arguments, store);
    const replayed = { action, ok: outcome.ok, text: outcome.ok ? outcome.result : outcome.error };
    actions.push(replayed);
    // τ² counts a tool it does not know as mutating.
    if (!outcome.ok && (supportTool(action.name)?.kind ?? 'write') === 'write') failedWrites.push(replayed);
  }
  return { actions, failedWrites };
}

/**
 * τ²'s DB hash: sha256 of `json.dumps(db.model_dump(), sort_keys=True)`, the same hex string τ² prints
 * for the same store (products, users and orders; absent optional order fields count as null).
 */
export async function storeHash(store: StoreAccess | RetailDb): Promise<string> {
  const db = 'snapshot' in store && typeof store.snapshot === 'function' ? await store.snapshot() : (store as RetailDb);
  return createHash('sha256')
    .update(pyDumps(dbDump(db), { sortKeys: true }))
    .digest('hex');
}

export interface DbCheck {
  match: boolean;
  /** 1 on a match, 0 otherwise; null when an expected write failed (τ²: not evaluated, unless it is a mismatch). */
  reward: 1 | 0 | null;
  expectedHash: string;
  actualHash: string;
  failedWrites: ReplayedAction[];
}

/**
 * τ²'s DB check: the agent's store after the conversation against a fresh store (from `freshStore`)
 * after the task's expected actions.
 */
export async function dbCheck(task: TauTask, agentStore: StoreAccess, freshStore: StoreAccess): Promise<DbCheck> {
  const replay = await replayExpectedActions(task, freshStore);
  const expectedHash = await storeHash(freshStore);
  const actualHash = await storeHash(agentStore);
  const match = expectedHash === actualHash;
  const reward = match ? (replay.failedWrites.length > 0 ? null : 1) : 0;
  return { match, reward, expectedHash, actualHash, failedWrites: replay.failedWrites };
}

export interface OutputCheck {
  info: string;
  met: boolean;
}

/**
 * τ²'s `communicate_info` check (English runs): each expected string appears, case-insensitively, in
 * some agent message with its commas removed (so "1,131.00" counts for "1131.00").
 */
export function checkOutputs(task: TauTask, messages: readonly ConversationMessage[]): OutputCheck[] {
  const agentTexts = messages
    .filter((message) => message.role === 'assistant' && message.content)
    .map((message) => message.content.toLowerCase().replaceAll(',', ''));
  return (task.evaluation_criteria?.communicate_info ?? []).map((info) => ({
    info,
    met: agentTexts.some((text) => text.includes(info.toLowerCase())),
  }));
}
