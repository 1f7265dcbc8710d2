/**
 * The TokenHub SDK (`tokenhub/sdk`): a typed client for the hub's agents, runs, threads, human inbox,
 * workflows, sandboxes and usage. No dependencies and nothing of the server: it runs wherever `fetch` does.
 *
 * ```ts
 * import { TokenHub } from 'tokenhub/sdk';
 * const hub = new TokenHub(); // TOKENHUB_URL, TOKENHUB_API_KEY
 * const run = await hub.agents.run('support', 'I want to return my keyboard');
 * ```
 *
 * Refusals are thrown as `TokenHubError` subclasses carrying the hub's error code; calls that may succeed
 * later are retried with backoff; streams are async iterators that resume after a drop. See docs/sdk.md.
 */
export { Agents, type RunOptions } from './agents.js';
export { type CustomRequest, TokenHub, type TokenHubOptions, type UsageQuery } from './client.js';
export {
  AuthenticationError,
  BudgetExceededError,
  ConflictError,
  ConnectionError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  TokenHubError,
} from './errors.js';
export { EventStream } from './event-stream.js';
export { Inbox, InboxTasks } from './inbox.js';
export type * from './inbox-types.js';
export { RunStream } from './run-stream.js';
export { type DecisionOptions, type RunFilter, Runs } from './runs.js';
export type * from './sandbox-types.js';
export {
  type CreateSandboxOptions,
  Sandbox,
  SandboxCode,
  Sandboxes,
  SandboxFiles,
  type SandboxFilter,
  type SandboxPage,
  SandboxWorkspaces,
  type WriteFileOptions,
} from './sandboxes.js';
export { type ServerSentEvent, SseDecoder } from './sse.js';
export { type PostMessage, Threads } from './threads.js';
export type { RequestOptions } from './transport.js';
export type * from './types.js';
export { SETTLED_RUN_STATUSES } from './types.js';
export type * from './workflow-types.js';
export { type DecideOptions, type Decision, type WorkflowRunOptions, WorkflowRuns, Workflows } from './workflows.js';
