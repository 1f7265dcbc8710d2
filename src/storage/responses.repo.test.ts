import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, TEST_ENGINES, type TestDb } from '../../test/support/test-db.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { deleteExpiredResponses, type NewStoredResponse, ResponsesRepository } from './responses.repo.js';

const DAY = 86_400_000;
const T0 = new Date('2030-01-01T00:00:00Z');

const record = (
  id: string,
  previousResponseId: string | null = null,
  expiresAt: Date | null = new Date(T0.getTime() + 30 * DAY),
): NewStoredResponse => ({
  id,
  previousResponseId,
  model: 'm',
  status: 'completed',
  response: {
    id,
    object: 'response',
    output: [{ type: 'message', id: `msg_${id}`, content: [{ type: 'output_text', text: `out ${id}` }] }],
  },
  inputItems: [{ type: 'message', id: `in_${id}`, role: 'user', content: [{ type: 'input_text', text: `in ${id}` }] }],
  expiresAt,
});

describe.each(TEST_ENGINES)('ResponsesRepository on %s', (engine) => {
  let testDb: TestDb;
  let now = T0;
  const clock = () => now;

  beforeAll(async () => {
    testDb = await getTestDb({ engine });
    await migrate(testDb.db, MIGRATIONS);
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it('stores JSON and reads it back for its tenant only', async () => {
    const tenantA = new ResponsesRepository(testDb.db, 'ten_a', clock);
    await tenantA.save(record('resp_1'));
    const found = await tenantA.get('resp_1');
    expect(found).toMatchObject({ id: 'resp_1', tenantId: 'ten_a', model: 'm', status: 'completed', previousResponseId: null });
    expect(found?.response).toEqual(record('resp_1').response);
    expect(found?.inputItems).toEqual(record('resp_1').inputItems);
    expect(found?.createdAt).toBeInstanceOf(Date);

    expect(await new ResponsesRepository(testDb.db, 'ten_b', clock).get('resp_1')).toBeUndefined();
    expect(await new ResponsesRepository(testDb.db, null, clock).get('resp_1')).toBeUndefined();
    expect(await new ResponsesRepository(testDb.db, 'ten_b', clock).delete('resp_1')).toBe(false);
    expect(await tenantA.get('resp_1')).toBeDefined();
  });

  it('does not let another tenant overwrite an id, and says so', async () => {
    expect(await new ResponsesRepository(testDb.db, 'ten_b', clock).save({ ...record('resp_1'), status: 'hijacked' })).toBe(false);
    expect((await new ResponsesRepository(testDb.db, 'ten_a', clock).get('resp_1'))?.status).toBe('completed');
    expect(await new ResponsesRepository(testDb.db, 'ten_a', clock).save({ ...record('resp_1'), status: 'completed' })).toBe(true);
  });

  it('stores NUL and unpaired surrogates in input and response exactly (jsonb refuses them as such)', async () => {
    const repo = new ResponsesRepository(testDb.db, 'ten_nul', clock);
    const edgy = 'a\u0000b \ud800 \udfff x\udbff 😀 \\u0000 \\ud800';
    const saved: NewStoredResponse = {
      ...record('resp_nul'),
      response: { id: 'resp_nul', instructions: edgy, metadata: { [`k\u0000`]: edgy }, output: [] },
      inputItems: [{ type: 'message', id: 'in_nul', role: 'user', content: [{ type: 'input_text', text: edgy }] }],
    };
    expect(await repo.save(saved)).toBe(true);
    const found = await repo.get('resp_nul');
    expect(found?.response).toEqual(saved.response);
    expect(found?.inputItems).toEqual(saved.inputItems);
    expect(found?.response.instructions).toHaveLength(edgy.length);
    await repo.save(record('resp_nul_next', 'resp_nul'));
    expect((await repo.conversation('resp_nul_next')).map((turn) => turn.inputItems)).toEqual([
      saved.inputItems,
      record('resp_nul_next').inputItems,
    ]);
    // A plain backslash-u in text is not mistaken for an escape.
    const literal = { ...record('resp_literal'), response: { id: 'resp_literal', text: '\\u0000 and \\ud83d' } };
    await repo.save(literal);
    expect((await repo.get('resp_literal'))?.response).toEqual(literal.response);
  });

  it('reads an id the database cannot hold as absent', async () => {
    const repo = new ResponsesRepository(testDb.db, 'ten_a', clock);
    for (const id of ['resp_\u0000', 'resp_1\u0000', 'resp_\ud800']) {
      expect(await repo.get(id)).toBeUndefined();
      expect(await repo.conversation(id)).toEqual([]);
      expect(await repo.delete(id)).toBe(false);
    }
    expect(await repo.get('resp_1')).toBeDefined();
  });

  it('keeps the admin namespace (null tenant) apart', async () => {
    const admin = new ResponsesRepository(testDb.db, null, clock);
    await admin.save(record('resp_admin'));
    expect(await admin.get('resp_admin')).toMatchObject({ tenantId: null });
    expect(await new ResponsesRepository(testDb.db, 'ten_a', clock).get('resp_admin')).toBeUndefined();
  });

  it('returns a previous_response_id chain oldest first, within the tenant', async () => {
    const repo = new ResponsesRepository(testDb.db, 'ten_c', clock);
    await repo.save(record('resp_c1'));
    await repo.save(record('resp_c2', 'resp_c1'));
    await repo.save(record('resp_c3', 'resp_c2'));
    expect((await repo.conversation('resp_c3')).map((turn) => turn.id)).toEqual(['resp_c1', 'resp_c2', 'resp_c3']);
    expect(await new ResponsesRepository(testDb.db, 'ten_a', clock).conversation('resp_c3')).toEqual([]);
    // A deleted ancestor cuts the chain there.
    expect(await repo.delete('resp_c2')).toBe(true);
    expect((await repo.conversation('resp_c3')).map((turn) => turn.id)).toEqual(['resp_c3']);
  });

  it('hides expired responses at once and sweeps them', async () => {
    const repo = new ResponsesRepository(testDb.db, 'ten_d', clock);
    await repo.save(record('resp_short', null, new Date(T0.getTime() + DAY)));
    await repo.save(record('resp_forever', null, null));
    expect(await repo.get('resp_short')).toBeDefined();
    now = new Date(T0.getTime() + 2 * DAY);
    expect(await repo.get('resp_short')).toBeUndefined();
    expect(await repo.conversation('resp_short')).toEqual([]);
    expect(await repo.delete('resp_short')).toBe(false);
    const swept = await deleteExpiredResponses(testDb.db, now);
    expect(swept).toBe(1);
    expect(await testDb.db.query('select id from responses where id = $1', ['resp_short'])).toEqual([]);
    expect(await repo.get('resp_forever')).toBeDefined();
    now = T0;
  });
});
