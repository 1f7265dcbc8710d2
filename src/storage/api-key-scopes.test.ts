import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_ENGINES } from '../../test/support/test-db.js';
import { ApiKeyLookup, ApiKeysRepository, type Database, MIGRATIONS, migrate, openDatabase, TenantsRepository } from './index.js';

describe.each(TEST_ENGINES)('api key scopes (%s)', (engine) => {
  let db: Database;
  const schema = `test_scopes_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    db = engine === 'pglite' ? await openDatabase({}) : await openDatabase({ url: TEST_DATABASE_URL as string, schema });
  });
  afterAll(async () => {
    if (engine === 'postgres') await db?.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
    await db?.close();
  });

  it('gives keys made before scopes existed `inference`, and stores, defaults and changes scopes after', async () => {
    // A database as it stood before migration 8, with a key in it.
    await migrate(
      db,
      MIGRATIONS.filter((migration) => migration.version < 8),
    );
    await db.query(`insert into tenants (id, name) values ('ten_old', 'Old')`);
    await db.query(
      `insert into api_keys (id, tenant_id, name, key_hash, key_prefix) values ('key_old', 'ten_old', 'old', 'hash-old', 'thk_oldoldol')`,
    );
    expect(await migrate(db)).toContain(8);

    expect((await new ApiKeyLookup(db).byId('key_old'))?.scopes).toEqual(['inference']);
    const tenant = await new TenantsRepository(db).create('New');
    const keys = new ApiKeysRepository(db, tenant.id);
    const base = { projectId: null, name: null, keyPrefix: 'thk_newnewne', models: null, rateLimits: {} };
    const plain = await keys.create({ ...base, id: 'key_plain', keyHash: 'hash-plain' });
    expect(plain.scopes).toEqual(['inference']);
    const agents = await keys.create({ ...base, id: 'key_agents', keyHash: 'hash-agents', scopes: ['agents:write', 'agents:run'] });
    expect(agents.scopes).toEqual(['agents:write', 'agents:run']);
    expect((await new ApiKeyLookup(db).byHash('hash-agents'))?.scopes).toEqual(['agents:write', 'agents:run']);

    expect((await keys.update('key_plain', { scopes: ['inference', 'agents:run'] }))?.scopes).toEqual(['inference', 'agents:run']);
    // A patch without scopes leaves them as they are.
    expect((await keys.update('key_plain', { name: 'renamed' }))?.scopes).toEqual(['inference', 'agents:run']);
    expect((await keys.list()).map((key) => [key.id, key.scopes])).toEqual([
      ['key_plain', ['inference', 'agents:run']],
      ['key_agents', ['agents:write', 'agents:run']],
    ]);
  });
});
