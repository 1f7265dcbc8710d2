/**
 * The support app: τ²-bench's retail domain as a shipped agent. It holds
 *
 * - the store: τ²'s users, orders and products per (tenant, installation) in the hub database
 *   (`supportStore`, `SupportStoreRepository` in storage), or in memory (`MemoryStore`), both behind
 *   `StoreAccess` so the same tool code runs on either;
 * - the tools: τ²'s 16 retail tools with its names, arguments, result texts, errors and quirks
 *   (`SUPPORT_TOOL_SPECS` for the model, `runSupportTool` to execute one);
 * - the policy: the retail policy's checks that can be decided in code, run before every write, each
 *   refusal naming its rule (`checkWritePolicy`, `POLICY_RULES`), over a `Conversation`;
 * - the rewards: τ²'s DB check (`storeHash`, `replayExpectedActions`, `dbCheck`) and its
 *   communicate-info check (`checkOutputs`);
 * - the shipped data: τ²'s `db.json` and `policy.md` (MIT, see data/LICENSE).
 *
 * The composition gives the agent `SUPPORT_TOOL_SPECS`, `retailPolicy()` as instructions, and for each
 * tool call runs `runSupportTool(name, args, { store, conversation, openHandoff })`, recording
 * `identifiedUserId` on the thread when a call returns one.
 */
import { SUPPORT_TOOLS } from './tools/registry.js';
import type { ToolParametersSchema } from './tools/tool.js';

export { SupportStoreRepository } from '../../storage/index.js';
export { retailDbText, retailPolicy, supportDataDir } from './data.js';
export { runSupportTool, type SupportToolContext, type SupportToolResult } from './executor.js';
export type * from './model.js';
export { isAffirmative } from './policy/confirmation.js';
export type { Conversation, ConversationMessage, ConversationRole } from './policy/conversation.js';
export {
  checkWritePolicy,
  isWriteTool,
  POLICY_RULES,
  type PolicyRefusal,
  type PolicyRuleName,
  WRITE_TOOLS,
  type WriteToolName,
} from './policy/rules.js';
export {
  checkOutputs,
  type DbCheck,
  dbCheck,
  type OutputCheck,
  type ReplayedAction,
  type ReplayReport,
  replayExpectedActions,
  storeHash,
  type TauAction,
  type TauTask,
} from './reward.js';
export { DatabaseStore, resetShippedStore, seedShippedStore, supportStore } from './store/db-store.js';
export { MemoryStore } from './store/memory-store.js';
export type { StoreAccess, StoreWrite, UserIdentity } from './store/store-access.js';
export { runRawTool, SUPPORT_TOOLS, supportTool } from './tools/registry.js';
export type { SupportTool, ToolEffects, ToolKind, ToolOutcome, ToolParametersSchema } from './tools/tool.js';

/** What the model is given for one tool: τ²'s name, description and argument schema. */
export interface SupportToolSpec {
  name: string;
  description: string;
  parameters: ToolParametersSchema;
}

export const SUPPORT_TOOL_SPECS: readonly SupportToolSpec[] = SUPPORT_TOOLS.map(({ name, description, parameters }) => ({
  name,
  description,
  parameters,
}));
export { supportChatRoutes } from './routes/chat-routes.js';
export { SUPPORT_APP, SupportApp, type SupportInstallation, type SupportInstallRequest, supportToolRef } from './support-app.js';
