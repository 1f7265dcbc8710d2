import type { AppliedWorkflow, WorkflowVersionView, WorkflowView } from './workflow-service.js';

/** A workflow as the API renders it: its active version's document. */
export const workflowDto = (workflow: WorkflowView) => ({
  object: 'workflow' as const,
  name: workflow.name,
  description: workflow.document.metadata.description ?? null,
  active_version: workflow.activeVersion,
  latest_version: workflow.latestVersion,
  document: workflow.document,
  created_at: workflow.createdAt.toISOString(),
  updated_at: workflow.updatedAt.toISOString(),
});
export type WorkflowDto = ReturnType<typeof workflowDto>;

/** The answer to saving a document: the workflow, what the save did and the version the document is. */
export const appliedWorkflowDto = (applied: AppliedWorkflow) => ({
  ...workflowDto(applied.workflow),
  result: applied.result,
  changed: applied.result !== 'unchanged',
  version: applied.version,
});
export type AppliedWorkflowDto = ReturnType<typeof appliedWorkflowDto>;

/** A workflow's versions, oldest first, each with its document. */
export const workflowVersionsDto = (versions: readonly WorkflowVersionView[]) => ({
  object: 'list' as const,
  data: versions.map((version) => ({
    object: 'workflow.version' as const,
    name: version.name,
    version: version.version,
    active: version.active,
    document: version.document,
    created_at: version.createdAt.toISOString(),
  })),
});
export type WorkflowVersionDto = ReturnType<typeof workflowVersionsDto>['data'][number];
