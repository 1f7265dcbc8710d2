/**
 * Workflows: the versioned document (older `apiVersion`s migrated on load), its JSON Schema, CEL expressions,
 * validation against the tenant's agents, models, tools and workflows, the definitions and their versions
 * (`WorkflowService`), and the tenant routes (`/v1/workflows`).
 */
export { canonicalJson } from './canonical-json.js';
export {
  allSteps,
  bodyOf,
  type EventTrigger,
  type ScheduleTrigger,
  type StepKind,
  WORKFLOW_API_VERSION,
  WORKFLOW_NAME_PATTERN,
  type WorkflowDocument,
  type WorkflowDocumentInput,
  type WorkflowStep,
  type WorkflowTriggers,
  workflowDocumentSchema,
} from './document.js';
export { WORKFLOW_SCHEMA_ID, workflowJsonSchema, workflowJsonSchemaText } from './json-schema.js';
export { loadWorkflowDocument, SUPPORTED_API_VERSIONS } from './load.js';
export { workflowApiPaths } from './openapi-paths.js';
export { parseRequest } from './routes/parse-request.js';
export { workflowHookRoutes } from './routes/workflow-hook-routes.js';
export { activateWorkflowBody, sendApplied, sendWorkflowSchema, workflowNameParams, workflowRoutes } from './routes/workflow-routes.js';
export { workflowRunRoutes } from './routes/workflow-run-routes.js';
export { registerYamlBody } from './routes/yaml-body.js';
export { WORKFLOW_RUN_KIND } from './run/child-steps.js';
export { checkHumanDecision, type HumanDecision } from './run/form-decision.js';
export type { WorkflowRunDeps } from './run/step-environment.js';
export { WorkflowRunHandler } from './run/workflow-run-handler.js';
export {
  type ScheduledFiring,
  type ScheduledWorkflow,
  scheduledRunId,
  WorkflowScheduler,
  type WorkflowSchedulerDeps,
  type WorkflowSchedulerOptions,
} from './schedules.js';
export { SIGNATURE_HEADER, TIMESTAMP_HEADER, triggeredRunId, WorkflowTriggerService, webhookSignature } from './triggers.js';
export { validateWorkflow, type WorkflowCatalogue, type WorkflowProblem, workflowProblems } from './validate.js';
export {
  type AppliedWorkflowDto,
  appliedWorkflowDto,
  type WorkflowDto,
  type WorkflowVersionDto,
  workflowDto,
  workflowVersionsDto,
} from './workflow-dto.js';
export { type WorkflowRunDto, type WorkflowRunSummaryDto, workflowRunDto, workflowRunSummaryDto } from './workflow-run-dto.js';
export { type StartWorkflowRun, WorkflowRunService } from './workflow-run-service.js';
export {
  type AppliedWorkflow,
  type ApplyResult,
  type ResolvedWorkflow,
  WorkflowService,
  type WorkflowServiceDeps,
  type WorkflowVersionView,
  type WorkflowView,
} from './workflow-service.js';
