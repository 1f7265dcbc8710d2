/** Sandboxes over time: idle ones reclaimed, storage billed by the byte-second, files kept as workspaces and mounted again. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerRows } from '../support/economy.js';
import { type SandboxHub, startSandboxHub } from './sandbox-hub.js';

let box: SandboxHub;

beforeAll(async () => {
  box = await startSandboxHub({ sandboxes: { pricing: { storage_gb_hour_usd: 36 } } });
});
afterAll(async () => {
  await box?.close();
});

interface Sandbox {
  id: string;
  status: string;
  end_reason: string | null;
  workspace: string | null;
  files: { count: number; bytes: number };
}

const put = (id: string, path: string, body: string) =>
  fetch(`${box.hub.url}/v1/sandboxes/${id}/files/${path}`, { method: 'PUT', headers: { authorization: `Bearer ${box.key}` }, body });

describe('sandbox lifecycle', () => {
  it('reclaims a sandbox idle past its timeout, and not one that was used since', async () => {
    const idle = (await box.call<Sandbox>('POST', '/v1/sandboxes', { timeout_s: 1 })).body;
    const busy = (await box.call<Sandbox>('POST', '/v1/sandboxes', { timeout_s: 60 })).body;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await box.hub.hub.sandboxes.reclaimer.tick()).toBeGreaterThanOrEqual(1);
    expect((await box.call<Sandbox>('GET', `/v1/sandboxes/${idle.id}`)).body).toMatchObject({ status: 'deleted', end_reason: 'expired' });
    expect((await box.call<Sandbox>('GET', `/v1/sandboxes/${busy.id}`)).body.status).toBe('live');
    await box.call('DELETE', `/v1/sandboxes/${busy.id}`);
  });

  it('bills storage as bytes × seconds at the configured price when the sandbox ends', async () => {
    const sandbox = (await box.call<Sandbox>('POST', '/v1/sandboxes', {})).body;
    expect((await put(sandbox.id, 'a.txt', 'x'.repeat(1000))).status).toBe(201);
    const record = await box.hub.hub.sandboxes.service.get(box.tenantId, sandbox.id);
    // Two hours of 1000 bytes at $36 per GB-hour: 1000 × 7200 byte-seconds = $0.000072.
    await box.hub.hub.sandboxes.service.billStorage(record, new Date(record.storageBilledAt.getTime() + 7_200_000));
    const row = (await ledgerRows(box.hub)).find(
      (candidate) => candidate.sandbox_id === sandbox.id && candidate.model_served === 'sandbox:storage',
    );
    expect(row).toMatchObject({ usage_kind: 'sandbox', storage_byte_seconds: 7_200_000, tenant_id: box.tenantId, key_id: box.keyId });
    expect(row?.cost_usd).toBe('0.000072');
    await box.call('DELETE', `/v1/sandboxes/${sandbox.id}`);
  });

  it('keeps files as a workspace that a later sandbox starts with, after the first is gone', async () => {
    const first = (await box.call<Sandbox>('POST', '/v1/sandboxes', {})).body;
    await put(first.id, 'site/index.html', '<h1>hi</h1>');
    const kept = await box.call<{ name: string; files: { count: number } }>('POST', `/v1/sandboxes/${first.id}/keep`, { name: 'site' });
    expect(kept.status).toBe(201);
    expect(kept.body.files.count).toBe(1);
    await box.call('DELETE', `/v1/sandboxes/${first.id}`);

    const second = await box.call<Sandbox>('POST', '/v1/sandboxes', { workspace: 'site' });
    expect(second.body).toMatchObject({ workspace: 'site', files: { count: 1, bytes: 11 } });
    const read = await box.call<{ result: string }>('POST', `/v1/sandboxes/${second.body.id}/code`, {
      language: 'javascript',
      code: 'files.read("site/index.html")',
    });
    expect(read.body.result).toBe('<h1>hi</h1>');
    // The workspace is a copy: changing the new sandbox leaves it as kept.
    await put(second.body.id, 'site/index.html', '<h1>changed</h1>');
    const third = await box.call<Sandbox>('POST', '/v1/sandboxes', { workspace: 'site', template: 'files' });
    const original = await fetch(`${box.hub.url}/v1/sandboxes/${third.body.id}/files/site/index.html`, {
      headers: { authorization: `Bearer ${box.key}` },
    });
    expect(await original.text()).toBe('<h1>hi</h1>');
    const noCode = await box.call<{ error: { code: string } }>('POST', `/v1/sandboxes/${third.body.id}/code`, {
      language: 'javascript',
      code: '1',
    });
    expect(noCode.body.error.code).toBe('template_runs_no_code');

    expect((await box.call<{ data: { name: string }[] }>('GET', '/v1/sandbox-workspaces')).body.data.map((entry) => entry.name)).toEqual([
      'site',
    ]);
    expect(
      (await fetch(`${box.hub.url}/v1/sandbox-workspaces/site`, { method: 'DELETE', headers: { authorization: `Bearer ${box.key}` } }))
        .status,
    ).toBe(204);
    const missing = await box.call<{ error: { code: string } }>('POST', '/v1/sandboxes', { workspace: 'site' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('workspace_not_found');
  }, 30_000);
});
