/**
 * Published site versions (migration 25) on PGlite and PostgreSQL: publishing numbers versions and serves the
 * newest, the previous stays for a rollback, size and path caps refuse before writing, and one tenant never
 * reads another's site of the same slug.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, TEST_ENGINES, type TestDb } from '../../test/support/test-db.js';
import { SITE_LIMITS, SiteVersionsRepository } from './index.js';

const SLOW = { timeout: 120_000 };
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));

describe.each(TEST_ENGINES)('site versions repository (%s)', (engine) => {
  let testDb: TestDb;
  let sites: SiteVersionsRepository;

  beforeAll(async () => {
    testDb = await getTestDb({ engine });
    sites = new SiteVersionsRepository(testDb.db, 'ten_a');
  }, 120_000);
  afterAll(async () => {
    await testDb?.close();
  });

  it('publishes numbered versions, serves the newest and keeps the previous for a rollback', SLOW, async () => {
    const first = await sites.publish('tea', { files: { 'index.html': '<p>one</p>' }, solution: { summary: 'v1' }, runId: 'run_1' }, at(1));
    expect(first).toMatchObject({ version: 1, current: true, filesCount: 1, filesBytes: 10, runId: 'run_1', solution: { summary: 'v1' } });
    const second = await sites.publish('tea', { files: { 'index.html': '<p>二</p>', 'css/site.css': 'p{}' } }, at(2));
    expect(second).toMatchObject({ version: 2, current: true, filesCount: 2, solution: null });
    expect((await sites.current('tea'))?.files).toEqual({ 'index.html': '<p>二</p>', 'css/site.css': 'p{}' });
    expect((await sites.versions('tea')).map((version) => [version.version, version.current])).toEqual([
      [2, true],
      [1, false],
    ]);

    const rolledBack = await sites.rollback('tea', at(3));
    expect(rolledBack).toMatchObject({ version: 1, current: true });
    expect((await sites.current('tea'))?.files).toEqual({ 'index.html': '<p>one</p>' });
    // Nothing older than version 1: no rollback, and the site still serves 1.
    expect(await sites.rollback('tea', at(4))).toBeUndefined();
    expect((await sites.rollback('tea', at(5), 2))?.version).toBe(2);
    expect(await sites.rollback('tea', at(6), 9)).toBeUndefined();
    expect((await sites.current('tea'))?.version).toBe(2);

    const third = await sites.publish('tea', { files: { 'index.html': 'three' } }, at(7));
    expect(third.version).toBe(3);
  });

  it('numbers concurrent publishes of one site without a collision', SLOW, async () => {
    const published = await Promise.all([1, 2, 3, 4].map((n) => sites.publish('race', { files: { 'index.html': `n${n}` } }, at(n))));
    expect(published.map((version) => version.version).sort()).toEqual([1, 2, 3, 4]);
    expect((await sites.current('race'))?.version).toBe(4);
  });

  it('refuses bad paths, empty sites and oversized files before writing', SLOW, async () => {
    for (const path of ['../x.html', '/abs.html', 'a//b.html', 'a/./b.html', 'sp ace.html']) {
      await expect(sites.publish('bad', { files: { [path]: 'x' } }, at(1)), path).rejects.toMatchObject({
        details: { code: 'invalid_path' },
      });
    }
    await expect(sites.publish('bad', { files: {} }, at(1))).rejects.toMatchObject({ details: { code: 'site_empty' } });
    await expect(sites.publish('bad', { files: { 'big.html': 'x'.repeat(SITE_LIMITS.maxFileBytes + 1) } }, at(1))).rejects.toMatchObject({
      details: { code: 'site_too_large' },
    });
    expect(await sites.current('bad')).toBeUndefined();
    expect(await sites.versions('bad')).toEqual([]);
  });

  it("keeps tenants apart: another tenant's site of the same slug is neither read nor rolled back", SLOW, async () => {
    const other = new SiteVersionsRepository(testDb.db, 'ten_b');
    expect(await other.current('tea')).toBeUndefined();
    expect(await other.get('tea', 1)).toBeUndefined();
    expect(await other.rollback('tea', at(9), 1)).toBeUndefined();
    await other.publish('tea', { files: { 'index.html': 'b' } }, at(9));
    expect((await other.current('tea'))?.version).toBe(1);
    expect((await sites.current('tea'))?.files).toEqual({ 'index.html': 'three' });
  });
});
