import { z } from 'zod';
import { WORKFLOW_API_VERSION, workflowDocumentSchema } from './document.js';

/** Where the schema says it lives; editors key their cache on it (the hub serves it at `GET /v1/workflows/schema`). */
export const WORKFLOW_SCHEMA_ID = 'https://tokenhub.dev/schemas/workflow.schema.json';

let cached: Record<string, unknown> | undefined;

/**
 * The JSON Schema (2020-12) of a workflow document of the current `apiVersion`, as an editor sees it: the
 * input side, so fields with defaults are optional. Generated from the zod schema the hub validates with, so
 * it never drifts; `docs/workflow.schema.json` is this, written by `npm run workflow-schema`.
 */
export function workflowJsonSchema(): Record<string, unknown> {
  if (cached) return cached;
  const { $schema, ...schema } = z.toJSONSchema(workflowDocumentSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  cached = {
    $schema,
    $id: WORKFLOW_SCHEMA_ID,
    title: `TokenHub workflow (${WORKFLOW_API_VERSION})`,
    description:
      'A workflow document: `apiVersion`, `kind: Workflow`, `metadata.name` and `spec.steps`. Documents of older apiVersions are migrated by the hub when loaded.',
    ...schema,
  };
  return cached;
}

/** The schema as the committed file holds it. */
export const workflowJsonSchemaText = (): string => `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
