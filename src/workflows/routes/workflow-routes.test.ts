/**
 * `/v1/workflows` on a real hub: documents imported as YAML or JSON, an import of an existing name is a new
 * version that is served, the same document again changes nothing, old versions can be served again, bad
 * documents are 400s naming the step and field, and one tenant never sees another's workflows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../../test/support/economy.js';
import { type Answer, call, errorOf, type Json, startWorkflowHub, type WorkflowHub } from '../../../test/support/workflows.js';

let setup: WorkflowHub;
const hub = () => setup.hub;

beforeAll(async () => {
  setup = await startWorkflowHub();
}, 120_000);

afterAll(async () => {
  await setup?.hub.close();
});

const RETURNS_YAML = `
apiVersion: tokenhub.dev/v1
kind: Workflow
metadata:
  name: returns
  description: Triage a return, then write the note.
spec:
  inputs: { type: object, properties: { order_id: { type: string } } }
  steps:
    - id: triage
      kind: agent
      agent: triage
      input: "Order \${{ input.order_id }}"
    - id: note
      kind: llm
      model: scripted
      prompt: "Write a note about \${{ steps.triage.output.text }}"
`;

/** A v1 document as JSON with the given steps. */
const documentOf = (name: string, steps: Json[], extra: Json = {}): Json => ({
  apiVersion: 'tokenhub.dev/v1',
  kind: 'Workflow',
  metadata: { name },
  spec: { steps, ...extra },
});
const llm = (id: string, prompt: string, extra: Json = {}): Json => ({ id, kind: 'llm', model: 'scripted', prompt, ...extra });

const post = (body: unknown, key = setup.key, contentType?: string) => call(hub(), 'POST', '/v1/workflows', key, body, contentType);
const get = (path: string, key: string | null = setup.key) => call(hub(), 'GET', path, key);
const expectError = (answer: Answer, status: number, code: string, param?: string) => {
  expect([answer.status, errorOf(answer).code], JSON.stringify(answer.body)).toEqual([status, code]);
  if (param !== undefined) expect(errorOf(answer).param).toBe(param);
};

describe('importing workflow documents', () => {
  it('creates a workflow from YAML at version 1 and serves it', async () => {
    const created = await post(RETURNS_YAML);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      object: 'workflow',
      name: 'returns',
      description: 'Triage a return, then write the note.',
      active_version: 1,
      latest_version: 1,
      result: 'created',
      changed: true,
      version: 1,
    });
    const document = created.body.document as Json;
    expect(document).toMatchObject({ apiVersion: 'tokenhub.dev/v1', kind: 'Workflow', metadata: { name: 'returns' } });
    expect(((document.spec as Json).steps as Json[]).map((step) => [step.id, step.kind])).toEqual([
      ['triage', 'agent'],
      ['note', 'llm'],
    ]);
    const read = await get('/v1/workflows/returns');
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      object: 'workflow',
      name: 'returns',
      description: 'Triage a return, then write the note.',
      active_version: 1,
      latest_version: 1,
      document,
      created_at: created.body.created_at,
      updated_at: created.body.updated_at,
    });
    const listed = await get('/v1/workflows');
    expect((listed.body.data as Json[]).map((workflow) => [workflow.name, workflow.active_version])).toContainEqual(['returns', 1]);
  });

  it('creates a workflow from JSON, and from text/yaml', async () => {
    const fromJson = await post(documentOf('from-json', [llm('only', 'Hello')]));
    expect([fromJson.status, fromJson.body.result, fromJson.body.description]).toEqual([201, 'created', null]);
    const fromText = await post(JSON.stringify(documentOf('from-text', [llm('only', 'Hello')])), setup.key, 'text/yaml; charset=utf-8');
    expect([fromText.status, fromText.body.name]).toEqual([201, 'from-text']);
  });

  it('imports a changed document of an existing name as a new version that is served, and the same document as no change', async () => {
    const first = documentOf('quotes', [llm('ask', 'Ask for quotes')]);
    expect((await post(first)).status).toBe(201);
    const changed = documentOf('quotes', [llm('ask', 'Ask for quotes'), llm('compare', `Compare \${{ steps.ask.output }}`)]);
    const updated = await post(changed);
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ result: 'updated', changed: true, version: 2, active_version: 2, latest_version: 2 });
    expect(((await get('/v1/workflows/quotes')).body.document as Json).spec).toMatchObject({ steps: [{ id: 'ask' }, { id: 'compare' }] });

    // The same document, with its keys in another order and its defaults written out, is the same document.
    const again = {
      spec: {
        steps: [
          llm('ask', 'Ask for quotes'),
          { prompt: `Compare \${{ steps.ask.output }}`, model: 'scripted', kind: 'llm', id: 'compare' },
        ],
      },
      metadata: { name: 'quotes' },
      kind: 'Workflow',
      apiVersion: 'tokenhub.dev/v1',
    };
    const unchanged = await post(again);
    expect(unchanged.status).toBe(200);
    expect(unchanged.body).toMatchObject({ result: 'unchanged', changed: false, version: 2, active_version: 2, latest_version: 2 });
    expect(unchanged.body.updated_at).toBe(updated.body.updated_at);

    const versions = await get('/v1/workflows/quotes/versions');
    expect((versions.body.data as Json[]).map((version) => [version.object, version.version, version.active])).toEqual([
      ['workflow.version', 1, false],
      ['workflow.version', 2, true],
    ]);
    expect(versions.body.data).toMatchObject([
      { document: { spec: { steps: [{ id: 'ask' }] } } },
      { document: { spec: { steps: [{ id: 'ask' }, { id: 'compare' }] } } },
    ]);
  });

  it('applies defaults before comparing: a written-out default is no change', async () => {
    const human = { id: 'check', kind: 'human', title: 'Check the photos' };
    expect((await post(documentOf('photos', [human]))).status).toBe(201);
    const explicit = documentOf('photos', [{ ...human, mode: 'approval', queue: 'default', priority: 'normal' }]);
    expect((await post(explicit)).body).toMatchObject({ result: 'unchanged', version: 1 });
    const different = documentOf('photos', [{ ...human, queue: 'returns' }]);
    expect((await post(different)).body).toMatchObject({ result: 'updated', version: 2 });
  });

  it('replaces with PUT under the same name only, and serves an old version again on activate', async () => {
    const v1 = documentOf('rollback', [llm('draft', 'First draft')]);
    const v2 = documentOf('rollback', [llm('draft', 'Second draft')]);
    expect((await post(v1)).status).toBe(201);
    const replaced = await call(hub(), 'PUT', '/v1/workflows/rollback', setup.key, v2);
    expect(replaced.body).toMatchObject({ result: 'updated', version: 2, active_version: 2 });
    expectError(
      await call(hub(), 'PUT', '/v1/workflows/rollback', setup.key, documentOf('other-name', [llm('a', 'x')])),
      400,
      'invalid_workflow',
      'metadata.name',
    );
    expectError(
      await call(hub(), 'PUT', '/v1/workflows/absent', setup.key, documentOf('absent', [llm('a', 'x')])),
      404,
      'workflow_not_found',
    );

    const activated = await call(hub(), 'POST', '/v1/workflows/rollback/activate', setup.key, { version: 1 });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ active_version: 1, latest_version: 2 });
    expect((activated.body.document as Json).spec).toMatchObject({ steps: [{ prompt: 'First draft' }] });
    expect(((await get('/v1/workflows/rollback')).body.document as Json).spec).toMatchObject({ steps: [{ prompt: 'First draft' }] });
    expect(((await get('/v1/workflows/rollback/versions')).body.data as Json[]).map((version) => version.active)).toEqual([true, false]);

    // The active version is what an import compares with: v1 again is no change, v2 again is a new version 3.
    expect((await post(v1)).body).toMatchObject({ result: 'unchanged', version: 1 });
    expect((await post(v2)).body).toMatchObject({ result: 'updated', version: 3, active_version: 3 });

    expectError(await call(hub(), 'POST', '/v1/workflows/rollback/activate', setup.key, { version: 9 }), 400, 'invalid_request', 'version');
    expectError(
      await call(hub(), 'POST', '/v1/workflows/rollback/activate', setup.key, { version: 'one' }),
      400,
      'invalid_request',
      'version',
    );
    expectError(await call(hub(), 'POST', '/v1/workflows/absent/activate', setup.key, { version: 1 }), 404, 'workflow_not_found');
  });

  it('deletes a workflow with its versions; its name starts again at version 1', async () => {
    expect((await post(documentOf('short-lived', [llm('a', 'x')]))).status).toBe(201);
    expect((await post(documentOf('short-lived', [llm('a', 'y')]))).body.version).toBe(2);
    expect((await call(hub(), 'DELETE', '/v1/workflows/short-lived', setup.key)).status).toBe(204);
    expectError(await get('/v1/workflows/short-lived'), 404, 'workflow_not_found');
    expectError(await get('/v1/workflows/short-lived/versions'), 404, 'workflow_not_found');
    expectError(await call(hub(), 'DELETE', '/v1/workflows/short-lived', setup.key), 404, 'workflow_not_found');
    expect((await post(documentOf('short-lived', [llm('a', 'z')]))).body).toMatchObject({ result: 'created', version: 1 });
  });
});

describe('validation', () => {
  const invalid: [string, Json | string, string, RegExp][] = [
    [
      'an unknown step in next',
      documentOf('bad', [llm('a', 'x', { next: 'ghost' }), llm('b', 'y')]),
      'steps.a.next',
      /step "a" next: .*"ghost"/,
    ],
    [
      'a cycle',
      documentOf('bad', [llm('a', 'x', { next: 'b' }), llm('b', 'y', { next: 'a' })]),
      'steps.a.next',
      /"a" → "b" → "a" form a cycle/,
    ],
    [
      'an unknown agent',
      documentOf('bad', [{ id: 'ask', kind: 'agent', agent: 'nobody', input: 'hi' }]),
      'steps.ask.agent',
      /step "ask" agent: there is no agent "nobody"/,
    ],
    [
      'an unknown model',
      documentOf('bad', [llm('ask', 'hi', { model: 'gpt-nothing' })]),
      'steps.ask.model',
      /step "ask" model: there is no routed model "gpt-nothing"/,
    ],
    [
      'an expression that does not parse',
      documentOf('bad', [llm('ask', `Hi \${{ input.( }}`)]),
      'steps.ask.prompt',
      /step "ask" prompt: the expression `input.\(`/,
    ],
    [
      'a reference to a step that does not exist',
      documentOf('bad', [llm('ask', `Hi \${{ steps.nope.output }}`)]),
      'steps.ask.prompt',
      /reads steps\.nope, but no step has the id "nope"/,
    ],
    [
      'a step kind that does not exist',
      documentOf('bad', [{ id: 'ask', kind: 'teleport' }]),
      'spec.steps.0.kind',
      /spec\.steps\.0 \(step "ask"\)\.kind/,
    ],
    ['a field of the wrong type', documentOf('bad', [llm('ask', 'hi', { max_tokens: 'many' })]), 'spec.steps.0.max_tokens', /step "ask"/],
    [
      'an apiVersion the hub does not read',
      { ...documentOf('bad', [llm('a', 'x')]), apiVersion: 'tokenhub.dev/v9' },
      'apiVersion',
      /v1alpha1, tokenhub\.dev\/v1beta1, tokenhub\.dev\/v1/,
    ],
    ['YAML that does not parse', 'apiVersion: [tokenhub', 'document', /not valid YAML or JSON/],
    ['a document that is not an object', '- just\n- a list\n', 'document', /must be an object/],
    ['the reserved name schema', documentOf('schema', [llm('a', 'x')]), 'metadata.name', /reserved/],
  ];
  for (const [what, document, param, message] of invalid) {
    it(`refuses ${what} with a 400 naming it`, async () => {
      const answer = await post(document);
      expectError(answer, 400, 'invalid_workflow', param);
      expect(String(errorOf(answer).message)).toMatch(message);
    });
  }

  it('stores nothing of a refused document', async () => {
    const names = ((await get('/v1/workflows')).body.data as Json[]).map((workflow) => workflow.name);
    expect(names).not.toContain('bad');
    expect(names).not.toContain('schema');
    expectError(await get('/v1/workflows/bad'), 404, 'workflow_not_found');
  });

  it('refuses a workflow name that is not one in the path', async () => {
    expectError(await get('/v1/workflows/not%20a%20name'), 400, 'invalid_request', 'name');
  });
});

describe('who may see and change workflows', () => {
  it("keeps tenant B out of tenant A's workflows", async () => {
    const secret = documentOf('secret-process', [llm('a', 'x')]);
    expect((await post(secret)).status).toBe(201);
    const other = setup.otherKey;
    expectError(await get('/v1/workflows/secret-process', other), 404, 'workflow_not_found');
    expectError(await get('/v1/workflows/secret-process/versions', other), 404, 'workflow_not_found');
    expectError(await call(hub(), 'PUT', '/v1/workflows/secret-process', other, secret), 404, 'workflow_not_found');
    expectError(await call(hub(), 'POST', '/v1/workflows/secret-process/activate', other, { version: 1 }), 404, 'workflow_not_found');
    expectError(await call(hub(), 'DELETE', '/v1/workflows/secret-process', other), 404, 'workflow_not_found');
    expect((await get('/v1/workflows', other)).body.data).toEqual([]);
    // B's agent-less tenant cannot name A's agent either.
    expectError(
      await post(documentOf('uses-triage', [{ id: 't', kind: 'agent', agent: 'triage', input: 'x' }]), other),
      400,
      'invalid_workflow',
      'steps.t.agent',
    );

    // B's own workflow of the same name is B's alone.
    expect((await post(documentOf('secret-process', [llm('b', 'mine')]), other)).body).toMatchObject({ result: 'created', version: 1 });
    expect((await get('/v1/workflows/secret-process')).body).toMatchObject({
      active_version: 1,
      document: { spec: { steps: [{ id: 'a' }] } },
    });
  });

  it('lets a key with agents:run read but not write, and refuses an inference key and the admin key', async () => {
    const runner = (await createKey(hub(), { tenant_id: setup.tenantId, scopes: ['agents:run'] })).key;
    expect((await get('/v1/workflows/returns', runner)).status).toBe(200);
    expect((await get('/v1/workflows/returns/versions', runner)).status).toBe(200);
    expectError(await post(documentOf('by-runner', [llm('a', 'x')]), runner), 403, 'missing_scope');
    expectError(await call(hub(), 'DELETE', '/v1/workflows/returns', runner), 403, 'missing_scope');
    const inference = (await createKey(hub(), { tenant_id: setup.tenantId })).key;
    expectError(await get('/v1/workflows', inference), 403, 'missing_scope');
    expectError(await get('/v1/workflows', hub().adminKey), 403, 'virtual_key_required');
    expect((await get('/v1/workflows', null)).status).toBe(401);
  });
});

describe('/admin/v1/workflows', () => {
  const adminCall = (method: string, path: string, body?: unknown) => call(hub(), method, path, hub().adminKey, body);

  it("manages any tenant's workflows with the admin key, audited", async () => {
    const query = `?tenant_id=${setup.otherTenantId}`;
    const created = await adminCall('POST', `/admin/v1/workflows${query}`, RETURNS_YAML.replace('agent: triage', 'agent: nobody'));
    expectError(created, 400, 'invalid_workflow', 'steps.triage.agent');
    const document = documentOf('admin-made', [llm('a', 'x')]);
    expect((await adminCall('POST', `/admin/v1/workflows${query}`, document)).body).toMatchObject({ result: 'created', version: 1 });
    expect(
      (await adminCall('PUT', `/admin/v1/workflows/admin-made${query}`, documentOf('admin-made', [llm('a', 'y')]))).body,
    ).toMatchObject({
      result: 'updated',
      version: 2,
    });
    expect((await adminCall('POST', `/admin/v1/workflows/admin-made/activate${query}`, { version: 1 })).body).toMatchObject({
      active_version: 1,
    });
    expect(((await adminCall('GET', `/admin/v1/workflows/admin-made/versions${query}`)).body.data as Json[]).length).toBe(2);
    expect(((await adminCall('GET', `/admin/v1/workflows${query}`)).body.data as Json[]).map((workflow) => workflow.name)).toContain(
      'admin-made',
    );
    // The tenant sees it through its own key; the other tenant does not.
    expect((await get('/v1/workflows/admin-made', setup.otherKey)).body).toMatchObject({ active_version: 1, latest_version: 2 });
    expectError(await get('/v1/workflows/admin-made'), 404, 'workflow_not_found');
    expectError(await adminCall('GET', '/admin/v1/workflows'), 400, 'invalid_request', 'tenant_id');
    expect((await adminCall('DELETE', `/admin/v1/workflows/admin-made${query}`)).status).toBe(204);

    const audit = await adminCall('GET', '/admin/v1/audit?limit=100');
    const actions = (audit.body.data as Json[])
      .filter((entry) => entry.target_type === 'workflow')
      .map((entry) => [entry.action, entry.tenant_id]);
    for (const action of ['workflow.apply', 'workflow.update', 'workflow.activate', 'workflow.delete']) {
      expect(actions).toContainEqual([action, setup.otherTenantId]);
    }
  });
});
