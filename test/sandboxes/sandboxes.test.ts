import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, ledgerRows } from '../support/economy.js';
import { type SandboxHub, startSandboxHub } from './sandbox-hub.js';

let box: SandboxHub;

beforeAll(async () => {
  box = await startSandboxHub({ sandboxes: { pricing: { cpu_second_usd: 0.01 } } });
});
afterAll(async () => {
  await box?.close();
});

interface Sandbox {
  id: string;
  status: string;
  files: { count: number; bytes: number };
  usage: { calls: number; cpu_ms: number; cost_usd: string };
}
interface CodeResult {
  stdout: string;
  stderr: string;
  result: unknown;
  error: { name: string; message: string; code?: string } | null;
  cpu_ms: number;
  cost_usd: string;
  request_id: string;
  files: { changed: string[]; removed: string[]; skipped: { path: string; reason: string }[] };
}

describe('sandboxes over HTTP', () => {
  it('runs JavaScript and Python with state kept between calls, and shares files between code and the API', async () => {
    const created = await box.call<Sandbox>('POST', '/v1/sandboxes', {});
    expect(created.status).toBe(201);
    const id = created.body.id;

    const first = await box.call<CodeResult>('POST', `/v1/sandboxes/${id}/code`, {
      language: 'javascript',
      code: 'let n = 20; console.log("hi"); n + 1',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ stdout: 'hi\n', result: 21, error: null });
    const second = await box.call<CodeResult>('POST', `/v1/sandboxes/${id}/code`, { language: 'javascript', code: 'n * 2' });
    expect(second.body.result).toBe(40);

    const put = await fetch(`${box.hub.url}/v1/sandboxes/${id}/files/data/in.csv`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${box.key}`, 'content-type': 'text/csv' },
      body: 'a,b\n1,2\n',
    });
    expect(put.status).toBe(201);

    const python = await box.call<CodeResult>('POST', `/v1/sandboxes/${id}/code`, {
      language: 'python',
      code: 'import csv\nrows = list(csv.reader(open("data/in.csv")))\nopen("out/sum.txt", "w").write(str(sum(int(x) for x in rows[1])))',
    });
    expect(python.body.error?.name).toBe('FileNotFoundError');
    const python2 = await box.call<CodeResult>('POST', `/v1/sandboxes/${id}/code`, {
      language: 'python',
      code: 'import os, csv\nos.makedirs("out", exist_ok=True)\nrows = list(csv.reader(open("data/in.csv")))\nopen("out/sum.txt", "w").write(str(sum(int(x) for x in rows[1])))\nrows',
    });
    expect(python2.body.error).toBeNull();
    expect(python2.body.result).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(python2.body.files.changed).toEqual(['out/sum.txt']);

    const read = await fetch(`${box.hub.url}/v1/sandboxes/${id}/files/out/sum.txt`, { headers: { authorization: `Bearer ${box.key}` } });
    expect(await read.text()).toBe('3');
    const fromJs = await box.call<CodeResult>('POST', `/v1/sandboxes/${id}/code`, {
      language: 'javascript',
      code: 'files.read("out/sum.txt")',
    });
    expect(fromJs.body.result).toBe('3');

    const listing = await box.call<{ data: { path: string; size: number }[] }>('GET', `/v1/sandboxes/${id}/files`);
    expect(listing.body.data.map((file) => file.path)).toEqual(['data/in.csv', 'out/sum.txt']);

    const ended = await box.call<Sandbox>('DELETE', `/v1/sandboxes/${id}`);
    expect(ended.body.status).toBe('deleted');
    const after = await box.call<{ error: { code: string } }>('POST', `/v1/sandboxes/${id}/code`, { language: 'javascript', code: '1' });
    expect(after.status).toBe(409);
    expect(after.body.error.code).toBe('sandbox_ended');
  }, 60_000);

  it('bills each call on the ledger at its measured CPU time and the configured price', async () => {
    const { body: sandbox } = await box.call<Sandbox>('POST', '/v1/sandboxes', {});
    const { body: result } = await box.call<CodeResult>('POST', `/v1/sandboxes/${sandbox.id}/code`, {
      language: 'javascript',
      code: 'let s = 0; for (let i = 0; i < 3e6; i++) s += i; s',
    });
    expect(result.cpu_ms).toBeGreaterThan(1);
    const row = (await ledgerRows(box.hub)).find((candidate) => candidate.request_id === result.request_id);
    expect(row).toMatchObject({
      usage_kind: 'sandbox',
      sandbox_id: sandbox.id,
      model_served: 'sandbox:javascript',
      tenant_id: box.tenantId,
    });
    // 0.01 USD per CPU-second: the row's cost is its CPU time at that price, rounded up to the picodollar.
    expect(Number.isInteger(row?.cpu_ms)).toBe(true);
    expect(row?.cpu_ms).toBe(result.cpu_ms);
    expect(Number(row?.cost_usd)).toBeCloseTo((row?.cpu_ms ?? 0) * 1e-5, 12);
    expect(result.cost_usd).toBe(row?.cost_usd);

    // The same usage API as tokens: grouped by kind, sandbox time is its own line.
    const usage = await admin<{ data: { group: string; requests: number; cost_usd: string }[] }>(
      box.hub,
      'GET',
      `/admin/v1/usage?tenant_id=${box.tenantId}&group_by=usage_kind`,
    );
    const sandboxLine = usage.data.find((line) => line.group === 'sandbox');
    const billed = (await ledgerRows(box.hub)).filter(
      (candidate) => candidate.tenant_id === box.tenantId && candidate.usage_kind === 'sandbox',
    );
    expect(sandboxLine?.requests).toBe(billed.length);
    expect(Number(sandboxLine?.cost_usd)).toBeCloseTo(
      billed.reduce((sum, candidate) => sum + Number(candidate.cost_usd), 0),
      12,
    );
  }, 30_000);
});
