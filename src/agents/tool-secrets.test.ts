import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, TEST_ENGINES, type TestDb } from '../../test/support/test-db.js';
import { createSecretBox, HubError } from '../core/index.js';
import { resealAllToolSecrets, TenantsRepository, ToolSecretsRepository } from '../storage/index.js';
import { ToolSecrets, toolSecretContext } from './tool-secrets.js';

const box = createSecretBox('a-test-secret-key-of-at-least-32-chars!!');

describe.each(TEST_ENGINES)('tool secrets (%s)', (engine) => {
  let test: TestDb;
  let tenantA: string;
  let tenantB: string;
  beforeAll(async () => {
    test = await getTestDb({ engine });
    const tenants = new TenantsRepository(test.db);
    tenantA = (await tenants.create('a')).id;
    tenantB = (await tenants.create('b')).id;
  });
  afterAll(async () => {
    await test?.close();
  });

  it('stores values sealed, lists names only, replaces and deletes', async () => {
    const secrets = new ToolSecrets(test.db, box, tenantA);
    const created = await secrets.set('STRIPE_KEY', 'sk_test_123456789');
    expect(created).toEqual({ name: 'STRIPE_KEY', createdAt: expect.any(Date), updatedAt: expect.any(Date) });
    expect(JSON.stringify(created)).not.toContain('sk_test');

    const row = await new ToolSecretsRepository(test.db, tenantA).get('STRIPE_KEY');
    expect(row?.sealedValue).toMatch(/^thsb1\./);
    expect(row?.sealedValue).not.toContain('sk_test');
    expect(await secrets.resolve('STRIPE_KEY')).toBe('sk_test_123456789');

    await secrets.set('STRIPE_KEY', 'sk_test_rotated');
    await secrets.set('A_TOKEN', 'token-value');
    expect(await secrets.resolve('STRIPE_KEY')).toBe('sk_test_rotated');
    expect((await secrets.list()).map((secret) => secret.name)).toEqual(['A_TOKEN', 'STRIPE_KEY']);
    expect(JSON.stringify(await secrets.list())).not.toContain('token-value');

    expect(await secrets.delete('A_TOKEN')).toBe(true);
    expect(await secrets.delete('A_TOKEN')).toBe(false);
    expect(await secrets.resolve('A_TOKEN')).toBeUndefined();
  });

  it("keeps tenants apart: one tenant's secret neither lists nor resolves for another", async () => {
    await new ToolSecrets(test.db, box, tenantA).set('SHARED_NAME', 'value-of-a');
    const other = new ToolSecrets(test.db, box, tenantB);
    expect(await other.resolve('SHARED_NAME')).toBeUndefined();
    expect(await other.list()).toEqual([]);
    await other.set('SHARED_NAME', 'value-of-b');
    expect(await other.resolve('SHARED_NAME')).toBe('value-of-b');
    expect(await new ToolSecrets(test.db, box, tenantA).resolve('SHARED_NAME')).toBe('value-of-a');
  });

  it('refuses a sealed value copied onto another tenant or name', async () => {
    const sealedForA = (await new ToolSecretsRepository(test.db, tenantA).get('SHARED_NAME'))?.sealedValue ?? '';
    await new ToolSecretsRepository(test.db, tenantB).put('COPIED', sealedForA);
    await expect(new ToolSecrets(test.db, box, tenantB).resolve('COPIED')).rejects.toThrow('failed authentication');
    await new ToolSecretsRepository(test.db, tenantB).delete('COPIED');
  });

  it('refuses bad names and values, naming the field', async () => {
    const secrets = new ToolSecrets(test.db, box, tenantA);
    await expect(secrets.set('bad name', 'x')).rejects.toMatchObject({ code: 'INVALID_REQUEST', details: { param: 'name' } });
    await expect(secrets.set('OK', '')).rejects.toMatchObject({ code: 'INVALID_REQUEST', details: { param: 'value' } });
    await expect(secrets.set('OK', 'x'.repeat(17 * 1024))).rejects.toBeInstanceOf(HubError);
    expect(await secrets.resolve('../../etc')).toBeUndefined();
  });

  it('re-seals every tenant in one pass for a key rotation', async () => {
    const next = createSecretBox('the-next-secret-key-of-at-least-32-chars', ['a-test-secret-key-of-at-least-32-chars!!']);
    const changed = await resealAllToolSecrets(test.db, ({ tenantId, name, sealedValue }) =>
      next.seal(next.open(sealedValue, toolSecretContext(tenantId, name)), toolSecretContext(tenantId, name)),
    );
    expect(changed).toBeGreaterThanOrEqual(3);
    expect(await new ToolSecrets(test.db, next, tenantA).resolve('STRIPE_KEY')).toBe('sk_test_rotated');
    expect(await new ToolSecrets(test.db, next, tenantB).resolve('SHARED_NAME')).toBe('value-of-b');
  });
});
