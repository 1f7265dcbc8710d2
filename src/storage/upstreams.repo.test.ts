import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, TEST_ENGINES, type TestDb } from '../../test/support/test-db.js';
import { RoutedModelsRepository, UpstreamProvidersRepository } from './index.js';

describe.each(TEST_ENGINES)('upstream repositories (%s)', (engine) => {
  let test: TestDb;
  beforeAll(async () => {
    test = await getTestDb({ engine });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('stores providers by id: taken ids are refused, replace and delete report a missing row', async () => {
    const providers = new UpstreamProvidersRepository(test.db);
    const values = {
      type: 'openai',
      settings: { base_url: 'http://127.0.0.1:1/v1', max_connections: 8 },
      headerNames: ['x-a'],
      sealedSecrets: 'thsb1.k.i.c.t',
    };
    const created = await providers.create('p1', values);
    expect(created).toMatchObject({
      id: 'p1',
      type: 'openai',
      settings: values.settings,
      headerNames: ['x-a'],
      sealedSecrets: 'thsb1.k.i.c.t',
    });
    expect(await providers.create('p1', { ...values, type: 'anthropic' })).toBeUndefined();
    expect((await providers.get('p1'))?.type).toBe('openai');

    const replaced = await providers.replace('p1', { ...values, headerNames: [], sealedSecrets: null });
    expect(replaced).toMatchObject({ headerNames: [], sealedSecrets: null });
    expect(replaced?.updatedAt.getTime()).toBeGreaterThanOrEqual(created?.updatedAt.getTime() ?? 0);
    expect(await providers.replace('missing', values)).toBeUndefined();
    expect(await providers.delete('missing')).toBe(false);
    expect(await providers.delete('p1')).toBe(true);
    expect(await providers.list()).toEqual([]);
  });

  it('re-seals every secret in one transaction, and changes nothing when one fails', async () => {
    const providers = new UpstreamProvidersRepository(test.db);
    const base = { type: 'openai', settings: {}, headerNames: [] };
    await providers.create('r1', { ...base, sealedSecrets: 'old-1' });
    await providers.create('r2', { ...base, sealedSecrets: 'old-2' });
    await providers.create('r3', { ...base, sealedSecrets: null });

    await expect(
      providers.resealAll((id, sealed) => {
        if (id === 'r2') throw new Error('cannot open');
        return sealed.replace('old', 'new');
      }),
    ).rejects.toThrow('cannot open');
    expect((await providers.list()).map((row) => row.sealedSecrets)).toEqual(['old-1', 'old-2', null]);

    expect(await providers.resealAll((_id, sealed) => sealed.replace('old', 'new'))).toBe(2);
    expect((await providers.list()).map((row) => row.sealedSecrets)).toEqual(['new-1', 'new-2', null]);
    expect(await providers.resealAll((_id, sealed) => sealed)).toBe(0);
  });

  it('stores model routes by name, slashes included', async () => {
    const models = new RoutedModelsRepository(test.db);
    const spec = { kind: 'chat', targets: [{ provider: 'p', model: 'm', weight: 1 }], fallbacks: [] };
    expect(await models.create('team/model', spec)).toMatchObject({ name: 'team/model', spec });
    expect(await models.create('team/model', spec)).toBeUndefined();
    expect((await models.replace('team/model', { ...spec, fallbacks: ['x'] }))?.spec).toMatchObject({ fallbacks: ['x'] });
    expect(await models.replace('nope', spec)).toBeUndefined();
    expect((await models.list()).map((model) => model.name)).toEqual(['team/model']);
    expect(await models.delete('team/model')).toBe(true);
    expect(await models.get('team/model')).toBeUndefined();
  });
});
