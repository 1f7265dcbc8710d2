/**
 * Workflows and their versions (migration 21) on PGlite and PostgreSQL: versions are numbered from 1, a new
 * version becomes active, old ones can be served again, concurrent writers never share a number, deleting
 * takes every version, and no query of one tenant reaches another tenant's workflows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, TEST_ENGINES, type TestDb } from '../../test/support/test-db.js';
import type { JsonRecord } from './index.js';
import { WorkflowsRepository } from './index.js';

const document = (name: string, marker: string): JsonRecord => ({
  apiVersion: 'tokenhub.dev/v1',
  kind: 'Workflow',
  metadata: { name, description: `réponse ✓ ${marker}` },
  spec: { steps: [{ id: 'first', kind: 'wait', seconds: 1, retry: { max_attempts: 3, backoff_ms: 1000, max_backoff_ms: 60000 } }] },
});

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute));
const SLOW = { timeout: 120_000 };

describe.each(TEST_ENGINES)('workflows repository (%s)', (engine) => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await getTestDb({ engine });
  }, 120_000);
  afterAll(async () => {
    await testDb?.close();
  });

  it('creates a workflow at version 1 and refuses a second workflow of the same name', SLOW, async () => {
    const repository = new WorkflowsRepository(testDb.db, 'ten_create');
    const created = await repository.create('returns', document('returns', 'one'), at(0));
    expect(created).toMatchObject({ tenantId: 'ten_create', name: 'returns', version: 1, document: document('returns', 'one') });
    expect(created?.createdAt.toISOString()).toBe(at(0).toISOString());
    expect(await repository.create('returns', document('returns', 'two'), at(1))).toBeUndefined();
    expect(await repository.get('returns')).toMatchObject({ activeVersion: 1, latestVersion: 1, createdAt: at(0), updatedAt: at(0) });
    expect((await repository.versions('returns')).map((version) => version.document)).toEqual([document('returns', 'one')]);
    await repository.create('audit', document('audit', 'a'), at(2));
    expect((await repository.list()).map((workflow) => workflow.name)).toEqual(['audit', 'returns']);
  });

  it('adds versions that become active, and serves an older one again', SLOW, async () => {
    const repository = new WorkflowsRepository(testDb.db, 'ten_versions');
    await repository.create('quotes', document('quotes', 'v1'), at(0));
    const second = await repository.addVersion('quotes', document('quotes', 'v2'), at(5));
    expect(second).toMatchObject({ version: 2, document: document('quotes', 'v2') });
    expect(await repository.get('quotes')).toMatchObject({ activeVersion: 2, latestVersion: 2, createdAt: at(0), updatedAt: at(5) });
    expect(await repository.addVersion('absent', document('absent', 'x'), at(5))).toBeUndefined();
    expect(await repository.get('absent')).toBeUndefined();

    expect(await repository.activate('quotes', 1, at(6))).toMatchObject({ activeVersion: 1, latestVersion: 2, updatedAt: at(6) });
    expect((await repository.activeDocuments()).map((version) => [version.name, version.version])).toEqual([['quotes', 1]]);
    expect(await repository.activate('quotes', 3, at(7))).toBeUndefined();
    expect(await repository.get('quotes')).toMatchObject({ activeVersion: 1 });

    // A new version after a rollback still takes the next number and is served.
    expect(await repository.addVersion('quotes', document('quotes', 'v3'), at(8))).toMatchObject({ version: 3 });
    expect(await repository.get('quotes')).toMatchObject({ activeVersion: 3, latestVersion: 3 });
    expect((await repository.version('quotes', 2))?.document).toEqual(document('quotes', 'v2'));
    expect(await repository.version('quotes', 4)).toBeUndefined();
    expect((await repository.versions('quotes')).map((version) => version.version)).toEqual([1, 2, 3]);
  });

  it('gives concurrent writers distinct version numbers', SLOW, async () => {
    const repository = new WorkflowsRepository(testDb.db, 'ten_concurrent');
    await repository.create('busy', document('busy', 'v1'), at(0));
    const writers = Array.from({ length: 12 }, (_, index) =>
      new WorkflowsRepository(testDb.db, 'ten_concurrent').addVersion('busy', document('busy', `writer ${index}`), at(1)),
    );
    const made = await Promise.all(writers);
    expect(made.map((version) => version?.version).sort((a = 0, b = 0) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(await repository.get('busy')).toMatchObject({ activeVersion: 13, latestVersion: 13 });
    const stored = await repository.versions('busy');
    expect(stored.map((version) => version.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    // Each writer's document is stored under the number it was told.
    for (const version of made) expect(stored.find((row) => row.version === version?.version)?.document).toEqual(version?.document);
  });

  it('deletes a workflow with its versions; the name then starts again at version 1', SLOW, async () => {
    const repository = new WorkflowsRepository(testDb.db, 'ten_delete');
    await repository.create('gone', document('gone', 'v1'), at(0));
    await repository.addVersion('gone', document('gone', 'v2'), at(1));
    expect(await repository.delete('gone')).toBe(true);
    expect(await repository.delete('gone')).toBe(false);
    expect(await repository.get('gone')).toBeUndefined();
    expect(await repository.versions('gone')).toEqual([]);
    expect(await repository.create('gone', document('gone', 'again'), at(2))).toMatchObject({ version: 1 });
  });

  it('keeps each tenant to its own workflows, even under the same name', SLOW, async () => {
    const tenantA = new WorkflowsRepository(testDb.db, 'ten_iso_a');
    const tenantB = new WorkflowsRepository(testDb.db, 'ten_iso_b');
    await tenantA.create('shared', document('shared', 'A1'), at(0));
    await tenantA.addVersion('shared', document('shared', 'A2'), at(1));
    await tenantA.create('secret', document('secret', 'A'), at(0));

    expect(await tenantB.list()).toEqual([]);
    expect(await tenantB.get('secret')).toBeUndefined();
    expect(await tenantB.version('secret', 1)).toBeUndefined();
    expect(await tenantB.versions('secret')).toEqual([]);
    expect(await tenantB.activeDocuments()).toEqual([]);
    expect(await tenantB.activate('shared', 1, at(2))).toBeUndefined();
    expect(await tenantB.addVersion('secret', document('secret', 'B'), at(2))).toBeUndefined();
    expect(await tenantB.delete('secret')).toBe(false);

    // B's own workflow of the same name is numbered on its own and changes nothing of A's.
    expect(await tenantB.create('shared', document('shared', 'B1'), at(3))).toMatchObject({ tenantId: 'ten_iso_b', version: 1 });
    expect(await tenantB.delete('shared')).toBe(true);
    expect(await tenantA.get('shared')).toMatchObject({ activeVersion: 2, latestVersion: 2 });
    expect((await tenantA.version('shared', 2))?.document).toEqual(document('shared', 'A2'));
    expect(await tenantA.get('secret')).toMatchObject({ activeVersion: 1 });
  });

  it("adds the ledger's workflow column with its partial index", SLOW, async () => {
    const columns = await testDb.db.query<{ data_type: string; is_nullable: string }>(
      `select data_type, is_nullable from information_schema.columns where table_schema = current_schema() and table_name = 'ledger' and column_name = 'workflow'`,
    );
    expect(columns).toEqual([{ data_type: 'text', is_nullable: 'YES' }]);
    const indexes = await testDb.db.query<{ indexdef: string }>(
      `select indexdef from pg_indexes where schemaname = current_schema() and indexname = 'ledger_tenant_workflow_seq_idx'`,
    );
    expect(indexes[0]?.indexdef).toMatch(/\(tenant_id, workflow, seq\) WHERE \(workflow IS NOT NULL\)/);
  });
});
