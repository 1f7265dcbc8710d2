import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../../test/support/hub.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, 'index.ts');

let hub: TestHub;

let upstream: FakeOpenAI;

beforeAll(async () => {
  upstream = await startFakeOpenAI({ apiKey: 'sk-from-env-var', reply: 'via cli' });
  hub = await startTestHub({}, { secretKey: 'cli-secret-key-'.padEnd(40, 'c') });
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

async function tokenhub(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, ...args, '--url', hub.url, '--admin-key', hub.adminKey], {
    env: { ...process.env, TOKENHUB_ADMIN_KEY: '', CLI_UPSTREAM_KEY: 'sk-from-env-var' },
  });
  return stdout;
}

describe('tokenhub CLI against a running hub', () => {
  it('creates a tenant and a key, lists and revokes it, and reads usage', { timeout: 120_000 }, async () => {
    const tenant = JSON.parse(await tokenhub('tenants', 'create', 'cli-co', '--json')) as { id: string };
    expect(tenant.id).toMatch(/^ten_/);
    const created = await tokenhub(
      'keys',
      'create',
      '--tenant',
      tenant.id,
      '--name',
      'ci',
      '--rpm',
      '60',
      '--budget-usd',
      '5',
      '--budget-period',
      'month',
    );
    const keyId = /^created (\S+)$/m.exec(created)?.[1];
    expect(created).toMatch(/^key \(shown once\): thk_/m);
    expect(keyId).toBeTruthy();
    const list = await tokenhub('keys', 'list', '--tenant', tenant.id);
    expect(list).toContain(keyId);
    // Limits, every budget the key is charged to (left/limit period) and what it can still spend.
    expect(list.split('\n')[0]).toMatch(/\blimits\s+budgets\s+remaining_usd\s+revoked_at$/);
    expect(list).toMatch(new RegExp(`^${keyId}\\s.*rpm 60\\s+key 5\\.00/5\\.00 month\\s+5\\.00\\s+-$`, 'm'));
    const listed = JSON.parse(await tokenhub('keys', 'list', '--tenant', tenant.id, '--json')) as {
      id: string;
      remaining_usd: string;
      budgets: { scope: string; limit_usd: string }[];
    }[];
    expect(listed.find((key) => key.id === keyId)).toMatchObject({ remaining_usd: '5.00', budgets: [{ scope: 'key', limit_usd: '5.00' }] });
    expect(await tokenhub('keys', 'revoke', keyId as string)).toContain(`revoked ${keyId}`);
    const usage = await tokenhub('usage', '--tenant', tenant.id, '--group-by', 'model');
    expect(usage.split('\n')[0]).toMatch(/^group\s+requests\s+prompt_tokens/);
  });

  it('fails with the hub’s own message and a non-zero exit', { timeout: 60_000 }, async () => {
    const failure = await tokenhub('keys', 'list', '--tenant', 'ten_missing').then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    // Listing an unknown tenant's keys is either empty or a 404; an invalid id is always a 400.
    const invalid = await tokenhub('keys', 'revoke', 'not a key').then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(invalid?.code).toBe(1);
    expect(invalid?.stderr).toMatch(/^tokenhub: DELETE \/admin\/v1\/keys\/not%20a%20key → 400/);
    expect(failure === null || failure.code === 1).toBe(true);
  });

  it('creates a provider with a key from an environment variable, routes a model to it and rotates secrets', {
    timeout: 120_000,
  }, async () => {
    const created = await tokenhub(
      'providers',
      'create',
      'cli-up',
      '--base-url',
      upstream.url,
      '--api-key-env',
      'CLI_UPSTREAM_KEY',
      '--header',
      'x-team: cli',
    );
    expect(created).toContain('created provider cli-up (ready)');
    expect(
      await tokenhub(
        'models',
        'create',
        'cli-model',
        '--target',
        'cli-up/upstream-x*2',
        '--input-usd-per-mtok',
        '1',
        '--output-usd-per-mtok',
        '2',
      ),
    ).toContain('created model cli-model');
    const providers = await tokenhub('providers', 'list');
    expect(providers).toMatch(/cli-up\s+openai\s+admin/);
    expect(providers).not.toContain('sk-from-env-var');
    expect(await tokenhub('models', 'list')).toMatch(/cli-model\s+chat\s+admin\s+cli-up\/upstream-x\*2/);
    const chat = await fetch(`${hub.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cli-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).toBe(200);
    expect(upstream.requests.at(-1)?.headers['x-team']).toBe('cli');
    expect(await tokenhub('secrets', 'rotate')).toMatch(/^re-sealed 0 of 1 provider secrets under key [0-9a-f]{12}/);
    expect(await tokenhub('models', 'delete', 'cli-model')).toContain('deleted model cli-model');
    expect(await tokenhub('providers', 'delete', 'cli-up')).toContain('deleted provider cli-up');
  });
});
