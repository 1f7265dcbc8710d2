import type { Conversation } from './policy/conversation.js';
import { checkWritePolicy, isWriteTool, type PolicyRuleName } from './policy/rules.js';
import type { StoreAccess } from './store/store-access.js';
import { runRawTool } from './tools/registry.js';

export interface SupportToolContext {
  store: StoreAccess;
  conversation: Conversation;
  /** Opens a hand-off of the conversation to a person (the inbox); returns the hand-off's id. */
  openHandoff?: (request: { summary: string }) => Promise<string>;
}

export type SupportToolResult =
  | {
      ok: true;
      /** τ²'s result text, what the model reads. */
      result: string;
      /** Set when this call identified the customer (the conversation had none yet): record it on the thread. */
      identifiedUserId?: string;
      /** Set when `transfer_to_human_agents` opened a hand-off. */
      handoffId?: string;
    }
  | {
      ok: false;
      /** τ²'s error text (`Error: …`) or the policy's refusal (`Refused by policy rule "…": …`). */
      error: string;
      /** The policy rule that refused the call, when the policy (not the tool) said no. */
      refusedBy?: PolicyRuleName;
    };

const IDENTIFYING_TOOLS = new Set(['find_user_id_by_email', 'find_user_id_by_name_zip']);

/**
 * Runs one of the support agent's tools for the model: the policy first (for writes), then τ²'s tool.
 * A refusal or a tool error changes nothing in the store.
 */
export async function runSupportTool(name: string, args: unknown, context: SupportToolContext): Promise<SupportToolResult> {
  if (isWriteTool(name)) {
    const record = args !== null && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
    const refusal = await checkWritePolicy(name, record, context);
    if (refusal) return { ok: false, error: refusal.message, refusedBy: refusal.rule };
  }
  let handoffId: string | undefined;
  const openHandoff = context.openHandoff;
  const outcome = await runRawTool(name, args, context.store, {
    ...(openHandoff
      ? {
          openHandoff: async (request) => {
            handoffId = await openHandoff(request);
            return handoffId;
          },
        }
      : {}),
  });
  if (!outcome.ok) return outcome;
  if (IDENTIFYING_TOOLS.has(name) && context.conversation.identifiedUserId === null) {
    return { ok: true, result: outcome.result, identifiedUserId: outcome.result };
  }
  return handoffId === undefined ? outcome : { ok: true, result: outcome.result, handoffId };
}
