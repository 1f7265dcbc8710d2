import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/hub.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, 'index.ts');

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({});
});

afterAll(async () => {
  await hub?.close();
});

async function tokenhub(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, ...args, '--url', hub.url, '--admin-key', hub.adminKey], {
    env: { ...process.env, TOKENHUB_ADMIN_KEY: '' },
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
});
