/**
 * Writes the workflow document's JSON Schema to docs/workflow.schema.json (`npm run workflow-schema`), so
 * editors validate and complete documents against the schema the hub itself checks; a test fails when the
 * committed file and the code differ.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workflowJsonSchemaText } from '../src/workflows/index.js';

const target = join(import.meta.dirname, '..', 'docs', 'workflow.schema.json');
await writeFile(target, workflowJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
