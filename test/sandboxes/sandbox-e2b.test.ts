/** The same sandbox API over E2B: a hub with E2B_API_KEY runs a tenant's sandbox on (a fake of) E2B, files and billing as on the hub. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeE2B, startFakeE2B } from '../fake-upstreams/e2b.js';
import { ledgerRows } from '../support/economy.js';
import { type SandboxHub, startSandboxHub } from './sandbox-hub.js';

let fake: FakeE2B;
let box: SandboxHub;

beforeAll(async () => {
  fake = await startFakeE2B();
  box = await startSandboxHub(
    { sandboxes: { allow_network: true, e2b: { api_url: fake.apiUrl, sandbox_url: fake.sandboxUrl, template: 'tokenhub-code' } } },
    { e2bApiKey: fake.apiKey },
  );
}, 30_000);
afterAll(async () => {
  await box?.close();
  await fake?.close();
});

describe('sandboxes on E2B', () => {
  it("runs code on E2B with the hub's files, bills its time, and kills the remote sandbox when it ends", async () => {
    const created = await box.call<{ id: string; provider: string }>('POST', '/v1/sandboxes', { provider: 'e2b' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.provider).toBe('e2b');
    const id = created.body.id;
    const put = await fetch(`${box.hub.url}/v1/sandboxes/${id}/files/in.txt`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${box.key}` },
      body: '21',
    });
    expect(put.status).toBe(201);

    const run = await box.call<{ stdout: string; error: unknown; files: { changed: string[] }; request_id: string }>(
      'POST',
      `/v1/sandboxes/${id}/code`,
      {
        language: 'python',
        code: 'n = int(open("in.txt").read())\nprint(n * 2)\nopen("out.txt", "w").write(str(n * 2))',
      },
    );
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body).toMatchObject({ stdout: '42\n', error: null, files: { changed: ['out.txt'] } });
    const out = await fetch(`${box.hub.url}/v1/sandboxes/${id}/files/out.txt`, { headers: { authorization: `Bearer ${box.key}` } });
    expect(await out.text()).toBe('42');

    const row = (await ledgerRows(box.hub)).find((candidate) => candidate.request_id === run.body.request_id);
    expect(row).toMatchObject({ usage_kind: 'sandbox', provider: 'e2b', sandbox_id: id, model_served: 'sandbox:python' });

    expect(fake.requests.some((request) => request.headers['x-api-key'] === fake.apiKey)).toBe(true);
    await box.call('DELETE', `/v1/sandboxes/${id}`);
    expect([...fake.sandboxes.values()].every((sandbox) => sandbox.killed)).toBe(true);
  }, 30_000);

  it('refuses the network on E2B, where the hub cannot hold traffic to its address policy', async () => {
    const refused = await box.call<{ error: { code: string; param: string } }>('POST', '/v1/sandboxes', { provider: 'e2b', network: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'network_not_supported', param: 'network' });
  });
});
