/**
 * Agents: definitions and their versions, tools (builtin, http, mcp), the run loop (one file per phase) as a
 * handler of the durable run engine, and the tenant routes. Every model call of an agent goes through the
 * in-process gateway client, so it is admitted, budgeted and billed like any API call, with the agent, run
 * and thread on its ledger row.
 */
export { AgentService, type AgentView, parseDefinition, type ResolvedAgent } from './agent-service.js';
export {
  type AgentDefinition,
  agentDefinitionSchema,
  DEFAULT_TRANSFER_MESSAGE,
  type EscalationRules,
  escalationSchema,
} from './definition.js';
export { agentApiPaths } from './openapi-paths.js';
export { activateBody, agentNameParams } from './routes/agent-routes.js';
export {
  abortedBy,
  approvalBody,
  RUN_STATUSES,
  runCursor,
  runParams,
  runStatusFilter,
  startRunBody,
  streamEvents,
} from './routes/run-routes.js';
export type { AuthenticateTenant, TenantCaller } from './routes/tenant-auth.js';
export { AGENT_RUN_KIND } from './run/agent-run-handler.js';
export { childRunId } from './run/child-runs.js';
export { isSettledStatus, isSettlingEvent, RunService } from './run-service.js';
export { agentDto, agentVersionsDto, type RunDto, runDto } from './run-view.js';
export { type AgentRuntime, type AgentRuntimeOptions, createAgentRuntime } from './runtime.js';
export {
  type HeldThread,
  type ThreadGate,
  type ThreadMessageDto,
  type ThreadReply,
  type ThreadService,
  threadMessageDto,
} from './thread-service.js';
export { resealToolSecrets, ToolSecrets } from './tool-secrets.js';
export { type AppToolFactory, AppToolRegistry } from './tools/app-tools.js';
export { validateToolArguments } from './tools/argument-validation.js';
export type { AgentTool, ToolCallContext, ToolOutcome, ToolSpec } from './tools/tool.js';
export { type ToolDefinition, toolDefinitionSchema } from './tools/tool-definitions.js';
