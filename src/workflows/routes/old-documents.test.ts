/**
 * Documents of older apiVersions keep loading: every file of `__fixtures__/old-documents/` is imported over
 * HTTP and stored in the current shape, with the renamed fields carried over; and the JSON Schema the hub
 * publishes for editors compiles and accepts exactly what the hub stores.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { call, type Json, oldDocuments, startWorkflowHub, type WorkflowHub } from '../../../test/support/workflows.js';
import { allSteps, bodyOf } from '../document.js';
import { loadWorkflowDocument } from '../load.js';

let setup: WorkflowHub;

beforeAll(async () => {
  setup = await startWorkflowHub();
}, 120_000);

afterAll(async () => {
  await setup?.hub.close();
});

const stored = async (name: string): Promise<Json> =>
  (await call(setup.hub, 'GET', `/v1/workflows/${name}`, setup.key)).body.document as Json;
const stepsOf = (document: Json): Json[] => (document.spec as Json).steps as Json[];

describe('old documents', () => {
  it('imports every document of the folder, v1alpha1 and v1beta1 among them, and stores it as v1', async () => {
    const documents = await oldDocuments();
    const versions = documents.map(({ text }) => (parseYaml(text) as Json).apiVersion);
    expect(documents.length).toBeGreaterThanOrEqual(3);
    expect(versions).toContain('tokenhub.dev/v1alpha1');
    expect(versions).toContain('tokenhub.dev/v1beta1');
    for (const { file, text } of documents) {
      const answer = await call(setup.hub, 'POST', '/v1/workflows', setup.key, text);
      expect([file, answer.status], JSON.stringify(answer.body)).toEqual([file, 201]);
      const document = answer.body.document as Json;
      expect([file, document.apiVersion, document.kind]).toEqual([file, 'tokenhub.dev/v1', 'Workflow']);
      // Stored exactly as the loader reads the file, and read back the same.
      expect(await stored(String(answer.body.name))).toEqual(JSON.parse(JSON.stringify(loadWorkflowDocument(text))));
      expect(Object.keys(document).sort(), file).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
      const oldKeys = allSteps(bodyOf(stepsOf(document) as never)).flatMap((step) =>
        Object.keys(step).filter((key) => ['type', 'goto', 'max_loops', 'approve_only', 'retries'].includes(key)),
      );
      expect([file, oldKeys]).toEqual([file, []]);
    }
  });

  it('carries v1alpha1 fields over: top-level name and schema, type → kind, goto → next, max_loops → max_iterations', async () => {
    const returns = await stored('damaged-return');
    expect(returns.metadata).toEqual({
      name: 'damaged-return',
      description: 'A customer reports a damaged item; an agent triages it, then a refund or a replacement is written up.',
    });
    expect(returns.spec).toMatchObject({ inputs: { required: ['order_id', 'message'] }, max_cost_usd: '0.50' });
    expect(stepsOf(returns).map((step) => [step.id, step.kind, step.next ?? null])).toEqual([
      ['triage', 'agent', null],
      ['decide', 'branch', null],
      ['refund', 'llm', 'notify'],
      ['replace', 'llm', null],
      ['notify', 'llm', null],
    ]);
    const report = await stored('weekly-report');
    expect(stepsOf(report)[0]).toMatchObject({
      id: 'gather',
      kind: 'loop',
      max_iterations: 3,
      exhausted: 'summarize',
      steps: [{ id: 'fetch', kind: 'llm' }],
    });
    expect(stepsOf(report)[0]).not.toHaveProperty('max_loops');
    expect(stepsOf(report)[1]).toMatchObject({ id: 'pause', kind: 'wait', next: 'summarize' });
  });

  it('carries v1beta1 fields over: approve_only → mode, retries → retry.max_attempts', async () => {
    const quotes = await stored('supplier-quotes');
    const [ask, compare, approve] = stepsOf(quotes);
    expect(ask).toMatchObject({ steps: [{ retry: { max_attempts: 3, backoff_ms: 1000, max_backoff_ms: 60000 } }] });
    expect(compare?.retry).toMatchObject({ max_attempts: 2 });
    expect(approve).toMatchObject({ kind: 'human', mode: 'approval', queue: 'purchasing', on_timeout: 'expired' });
    expect(approve).not.toHaveProperty('approve_only');
    const review = await stored('incident-review');
    expect(stepsOf(review)[1]).toMatchObject({
      kind: 'human',
      mode: 'form',
      fields: [
        { name: 'severity', type: 'enum' },
        { name: 'notes', required: false },
      ],
    });
    expect(stepsOf(review)[0]).toMatchObject({ branches: [{ steps: [{ retry: { max_attempts: 4 } }] }, { name: 'clock' }] });
  });

  it('imports an old document again as no change: it is compared after migration', async () => {
    const [first] = await oldDocuments();
    const again = await call(setup.hub, 'POST', '/v1/workflows', setup.key, first?.text);
    expect(again.body).toMatchObject({ result: 'unchanged', version: 1 });
  });
});

describe('GET /v1/workflows/schema', () => {
  it('serves, without a key, a JSON Schema that ajv compiles and that holds the stored documents and refuses bad ones', async () => {
    const response = await fetch(`${setup.hub.url}/v1/workflows/schema`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/schema\+json/);
    const schema = (await response.json()) as Json;
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://tokenhub.dev/schemas/workflow.schema.json',
    });
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true, validateFormats: false }).compile(schema);

    for (const { file, text } of await oldDocuments()) {
      const migrated = JSON.parse(JSON.stringify(loadWorkflowDocument(text))) as Json;
      expect([file, validate(migrated)], JSON.stringify(validate.errors)).toEqual([file, true]);
      // An old document as written is not a v1 document: editors flag it until it is migrated.
      expect([file, validate(parseYaml(text))]).toEqual([file, false]);
    }
    const minimal = {
      apiVersion: 'tokenhub.dev/v1',
      kind: 'Workflow',
      metadata: { name: 'm' },
      spec: { steps: [{ id: 'w', kind: 'wait', seconds: 1 }] },
    };
    expect(validate(minimal)).toBe(true);
    expect(validate({ ...minimal, spec: { steps: [{ id: 'w', kind: 'teleport' }] } })).toBe(false);
    expect(validate({ ...minimal, spec: { steps: [{ id: 'w', kind: 'llm', model: 'm', prompt: 'p', temperature: 7 }] } })).toBe(false);
    expect(validate({ ...minimal, metadata: { name: 'has spaces' } })).toBe(false);
    expect(validate({ ...minimal, extra: true })).toBe(false);
  });
});
