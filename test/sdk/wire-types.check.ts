/**
 * Holds the SDK's types to the server's own DTO types, checked by `tsc -p tsconfig.json` (this file is never
 * run): every field the server sends is in the SDK's type with a type that accepts it, and the SDK promises no
 * field the server does not send. A server change that renames, adds or retypes a field fails the typecheck
 * here until src/sdk/ follows it. Fields the SDK types more precisely than the server does (the server says
 * `unknown[]` or `Record<string, unknown>` where the shape is fixed) are named as such and left out.
 */
import type { MeUsageResponse, Budget as ServerBudget, UsageRow as ServerUsageRow } from '../../src/admin/contract.js';
import type { agentDto, agentVersionsDto, RunDto, ThreadReply as ServerThreadReply, ThreadMessageDto } from '../../src/agents/index.js';
import type { RunSummaryDto, StepDto } from '../../src/agents/run-view.js';
import type { threadDto } from '../../src/agents/thread-service.js';
import type { TaskDto } from '../../src/inbox/index.js';
import type {
  codeResultDto,
  fileDto,
  CodeLanguage as ServerCodeLanguage,
  SandboxLimits as ServerSandboxLimits,
  SandboxTemplate as ServerSandboxTemplate,
  sandboxDto,
  workspaceDto,
} from '../../src/sandboxes/index.js';
import type {
  Agent,
  AgentVersion,
  AppliedWorkflow,
  Budget,
  CodeLanguage,
  InboxTask,
  KeyUsage,
  Run,
  RunStatus,
  RunStep,
  RunSummary,
  SandboxCodeResult,
  SandboxFile,
  SandboxLimits,
  SandboxRecord,
  SandboxStatus,
  SandboxTemplate,
  SandboxWorkspace,
  Thread,
  ThreadMessage,
  ThreadReply,
  UsageRow,
  Workflow,
  WorkflowRun,
  WorkflowRunStep,
  WorkflowRunSummary,
  WorkflowVersion,
} from '../../src/sdk/index.js';
import type { RunRecord } from '../../src/storage/index.js';
import type {
  AppliedWorkflowDto,
  WorkflowDto,
  WorkflowRunDto,
  WorkflowRunSummaryDto,
  WorkflowVersionDto,
} from '../../src/workflows/index.js';
import type { WorkflowRunStepDto } from '../../src/workflows/workflow-run-dto.js';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The server's DTO is accepted by the SDK's type, and both name the same fields (`Precise`: typed apart). */
type Holds<Server, Sdk, Precise extends PropertyKey = never> = [Omit<Server, Precise>] extends [Omit<Sdk, Precise>]
  ? Same<Exclude<keyof Server, Precise>, Exclude<keyof Sdk, Precise>>
  : false;

type AgentDto = ReturnType<typeof agentDto>;
type AgentVersionDto = ReturnType<typeof agentVersionsDto>['data'][number];
type ThreadDto = ReturnType<typeof threadDto>;
type SandboxDto = ReturnType<typeof sandboxDto>;

export const checks: [
  Same<RunRecord['status'], RunStatus>,
  Holds<RunDto, Run, 'output' | 'error' | 'pending_approvals' | 'steps'>,
  Holds<StepDto, RunStep>,
  Holds<RunSummaryDto, RunSummary>,
  Holds<AgentDto, Agent, 'tools'>,
  Holds<AgentVersionDto, AgentVersion>,
  Holds<ThreadDto, Thread>,
  Holds<ThreadMessageDto, ThreadMessage>,
  Holds<ServerThreadReply, ThreadReply, 'run'>,
  Holds<TaskDto, InboxTask>,
  Holds<WorkflowDto, Workflow>,
  Holds<AppliedWorkflowDto, AppliedWorkflow>,
  Holds<WorkflowVersionDto, WorkflowVersion>,
  Holds<WorkflowRunDto, WorkflowRun>,
  Holds<WorkflowRunStepDto, WorkflowRunStep>,
  Holds<WorkflowRunSummaryDto, WorkflowRunSummary>,
  Holds<MeUsageResponse, KeyUsage>,
  Holds<ServerUsageRow, UsageRow>,
  Holds<ServerBudget, Budget>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];

// The server stores a sandbox's limits, template and provider as JSON and text; the Same checks hold their shapes.
export const sandboxChecks: [
  Holds<SandboxDto, SandboxRecord, 'limits' | 'template' | 'provider'>,
  Same<ServerSandboxLimits, SandboxLimits>,
  Same<ServerSandboxTemplate, SandboxTemplate>,
  Same<SandboxDto['status'], SandboxStatus>,
  Same<ServerCodeLanguage, CodeLanguage>,
  Holds<ReturnType<typeof codeResultDto>, SandboxCodeResult>,
  Holds<ReturnType<typeof fileDto>, SandboxFile>,
  Holds<ReturnType<typeof workspaceDto>, SandboxWorkspace>,
] = [true, true, true, true, true, true, true, true];
