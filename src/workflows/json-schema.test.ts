/**
 * `docs/workflow.schema.json` is what editors are pointed at: it must be the schema the hub validates with,
 * so a change to the document's zod schema that is not followed by `npm run workflow-schema` fails here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_SCHEMA_ID, workflowJsonSchema, workflowJsonSchemaText } from './json-schema.js';

const COMMITTED = join(import.meta.dirname, '..', '..', 'docs', 'workflow.schema.json');

describe('the committed workflow JSON Schema', () => {
  it('equals what the code generates (run `npm run workflow-schema` after changing the document schema)', async () => {
    expect(await readFile(COMMITTED, 'utf8')).toBe(workflowJsonSchemaText());
  });

  it('names itself and its dialect, and describes the document and every step kind', () => {
    const schema = workflowJsonSchema();
    expect(schema.$id).toBe(WORKFLOW_SCHEMA_ID);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const kinds = JSON.stringify(schema).match(/"kind":\{"type":"string","const":"(\w+)"\}/g) ?? [];
    expect(kinds.map((match) => match.replace(/.*"const":"(\w+)".*/, '$1')).sort()).toEqual(
      ['Workflow', 'agent', 'branch', 'human', 'llm', 'loop', 'map', 'parallel', 'tool', 'wait', 'workflow'].sort(),
    );
  });
});
