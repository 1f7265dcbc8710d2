/**
 * The SDK's sandboxes against a real hub: code in JavaScript and Python with state kept, files written and read
 * as text and bytes under paths that need encoding, a workspace kept and started from, the hub's refusals as
 * typed errors, and which calls are repeated after a 503 (file reads) and which never are (code runs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  Sandbox,
  ServerError,
  type TokenHub,
  TokenHubError,
} from '../../src/sdk/index.js';
import { createKey } from '../support/economy.js';
import { type SdkHub, startSdkHub } from './sdk-hub.js';

let setup: SdkHub;
let hub: TokenHub;

beforeAll(async () => {
  setup = await startSdkHub('sdk-sandboxes');
  hub = setup.client({ apiKey: setup.sandboxKey });
});

afterAll(async () => {
  await setup?.hub.close();
});

async function refusal(call: Promise<unknown>): Promise<TokenHubError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TokenHubError);
  return error as TokenHubError;
}

/** A fetch that records every request's method and path, and can swap an answer for a 503 after the hub gave it. */
function recordingFetch(unavailable?: (method: string, path: string, seen: number) => boolean) {
  const calls: string[] = [];
  const fetchThrough: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const path = new URL(String(input)).pathname;
    calls.push(`${method} ${path}`);
    const response = await fetch(input, init);
    if (!unavailable?.(method, path, calls.filter((call) => call === `${method} ${path}`).length)) return response;
    await response.arrayBuffer();
    const body = { error: { message: 'Try again.', type: 'server_error', param: null, code: 'overloaded' } };
    return new Response(JSON.stringify(body), { status: 503, headers: { 'content-type': 'application/json' } });
  };
  return { calls, fetch: fetchThrough };
}

describe('sandboxes', () => {
  it('makes a sandbox and runs Python and JavaScript in it, state kept between calls', async () => {
    const box = await hub.sandboxes.create();
    const { stdout } = await box.code.run('python', 'print(6 * 7)');
    expect(stdout).toBe('42\n');

    expect(box).toBeInstanceOf(Sandbox);
    expect(box.id).toMatch(/^sbx_/);
    expect(box).toMatchObject({ status: 'live', template: 'code', provider: 'local', network: false, workspace: null });
    expect(box.limits.cpu_ms).toBeGreaterThan(0);
    expect(box.files.count).toBe(0);

    const first = await box.code.run('javascript', 'let n = 20; console.log("hi"); n + 1');
    expect(first).toMatchObject({ object: 'sandbox.code_result', sandbox_id: box.id, language: 'javascript', stdout: 'hi\n', result: 21 });
    expect(first.error).toBeNull();
    expect((await box.code.run('javascript', 'n * 2')).result).toBe(40);

    const failed = await box.code.run('python', 'x = 1\nraise ValueError("no")');
    expect(failed.error).toMatchObject({ name: 'ValueError', message: 'no' });
    expect((await box.code.run('python', 'x + 1')).result).toBe(2);

    await box.refresh();
    expect(box.usage.calls).toBe(5);
    expect(box.last_used_at).not.toBe(box.created_at);
    expect(JSON.parse(JSON.stringify(box))).toEqual(box.record);
  }, 90_000);

  it('writes and reads files as text and bytes under paths that need encoding, shared with the code', async () => {
    const box = await hub.sandboxes.create();
    const odd = 'data/a b#?&+ü/report (1).txt';
    expect(await box.files.write(odd, 'héllo')).toMatchObject({ object: 'sandbox.file', path: odd, size: 6 });
    expect(await box.files.readText(odd)).toBe('héllo');

    const bytes = Uint8Array.from({ length: 256 }, (_, index) => index);
    await box.files.write('bin/all.bytes', bytes);
    expect(await box.files.read('bin/all.bytes')).toEqual(bytes);

    const python = await box.code.run('python', `open(${JSON.stringify(odd)}).read().upper()`);
    expect(python.result).toBe('HÉLLO');
    const js = await box.code.run('javascript', 'files.write("out/sum.txt", String(1 + 2)); "ok"');
    expect(js.files.changed).toEqual(['out/sum.txt']);
    expect(await box.files.readText('out/sum.txt')).toBe('3');

    expect((await box.files.list()).data.map((file) => file.path)).toEqual(['bin/all.bytes', odd, 'out/sum.txt']);
    expect((await box.files.list('out/')).data.map((file) => file.path)).toEqual(['out/sum.txt']);
    await box.refresh();
    expect(box.files).toMatchObject({ count: 3, bytes: 6 + 256 + 1 });

    await box.files.delete('out/sum.txt');
    expect(await refusal(box.files.read('out/sum.txt'))).toMatchObject({ name: 'NotFoundError', status: 404, code: 'file_not_found' });
    expect(await refusal(box.files.delete('out/sum.txt'))).toBeInstanceOf(NotFoundError);
  }, 60_000);

  it('round-trips a file whose name holds a "%"', async () => {
    const box = await hub.sandboxes.create();
    try {
      for (const path of ['100%.txt', 'a%25b.txt']) {
        expect((await box.files.write(path, 'x')).path).toBe(path);
        expect(await box.files.readText(path)).toBe('x');
      }
    } finally {
      await box.delete();
    }
  });

  it('refuses paths that would leave the sandbox: ".." before any call, a leading "/" from the hub', async () => {
    const recording = recordingFetch();
    const box = await setup.client({ apiKey: setup.sandboxKey, fetch: recording.fetch }).sandboxes.create();
    recording.calls.length = 0;

    for (const path of ['../escape.txt', 'a/../../b', './x', '']) {
      const error = await refusal(box.files.write(path, 'no'));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toMatchObject({ code: 'invalid_path', param: 'path', status: undefined });
    }
    expect(await refusal(box.files.read('a/\ud800'))).toMatchObject({ code: 'invalid_path' });
    expect(recording.calls).toEqual([]);

    const fromHub = await refusal(box.files.write('/etc/passwd', 'no'));
    expect(fromHub).toBeInstanceOf(InvalidRequestError);
    expect(fromHub).toMatchObject({ status: 400, code: 'invalid_path', param: 'path' });
    expect(await refusal(box.files.write('a\\b.txt', 'no'))).toMatchObject({ status: 400, code: 'invalid_path' });
    expect((await box.files.list()).data).toEqual([]);
  }, 30_000);

  it('keeps a workspace that a new sandbox starts from, and deletes it', async () => {
    const box = await hub.sandboxes.create();
    await box.files.write('notes/todo.md', '- ship it');
    const kept = await box.keep('sdk-notes');
    expect(kept).toMatchObject({
      object: 'sandbox.workspace',
      name: 'sdk-notes',
      source_sandbox_id: box.id,
      files: { count: 1, bytes: 9 },
    });
    await box.delete();
    expect(box).toMatchObject({ status: 'deleted', end_reason: 'deleted', expires_at: null });

    const next = await hub.sandboxes.create({ workspace: 'sdk-notes', template: 'files', timeoutS: 60, limits: { cpu_ms: 1_000 } });
    expect(next).toMatchObject({ workspace: 'sdk-notes', template: 'files', timeout_s: 60, files: { count: 1, bytes: 9 } });
    expect(next.limits.cpu_ms).toBe(1_000);
    expect(await next.files.readText('notes/todo.md')).toBe('- ship it');
    expect(await refusal(next.code.run('python', '1'))).toMatchObject({ status: 400, code: 'template_runs_no_code' });

    expect((await hub.sandboxes.workspaces.list()).data.map((workspace) => workspace.name)).toContain('sdk-notes');
    await hub.sandboxes.workspaces.delete('sdk-notes');
    expect((await hub.sandboxes.workspaces.list()).data.map((workspace) => workspace.name)).not.toContain('sdk-notes');
    const gone = await refusal(hub.sandboxes.create({ workspace: 'sdk-notes' }));
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone).toMatchObject({ code: 'workspace_not_found', param: 'workspace' });
    await next.delete();
  }, 30_000);

  it('lists, reads and ends sandboxes; an ended one refuses code and files with sandbox_ended', async () => {
    const older = await hub.sandboxes.create();
    const newer = await hub.sandboxes.create();
    const page = await hub.sandboxes.list({ status: 'live', limit: 1 });
    expect(page.data.map((sandbox) => sandbox.id)).toEqual([newer.id]);
    expect(page.data[0]).toBeInstanceOf(Sandbox);
    expect(page.next_before).not.toBeNull();
    const rest = await hub.sandboxes.list({ status: 'live', before: page.next_before ?? undefined, limit: 100 });
    expect(rest.data.map((sandbox) => sandbox.id)).toContain(older.id);

    await (await hub.sandboxes.get(older.id)).delete();
    const ended = await hub.sandboxes.get(older.id);
    expect(ended).toMatchObject({ status: 'deleted', end_reason: 'deleted' });
    expect(ended.ended_at).not.toBeNull();
    expect((await ended.delete()).status).toBe('deleted');

    const run = await refusal(older.code.run('javascript', '1'));
    expect(run).toBeInstanceOf(ConflictError);
    expect(run).toMatchObject({ status: 409, code: 'sandbox_ended' });
    expect(await refusal(older.files.write('a.txt', 'x'))).toMatchObject({ name: 'ConflictError', code: 'sandbox_ended' });
    expect((await hub.sandboxes.list({ status: 'deleted', limit: 100 })).data.map((sandbox) => sandbox.id)).toContain(older.id);
    await newer.delete();
  }, 30_000);

  it("answers the hub's refusals as typed errors with its codes", async () => {
    expect(await refusal(hub.sandboxes.get('sbx_nothere'))).toMatchObject({
      name: 'NotFoundError',
      status: 404,
      code: 'sandbox_not_found',
    });

    const tooHigh = await refusal(hub.sandboxes.create({ limits: { cpu_ms: 10_000_000 } }));
    expect(tooHigh).toBeInstanceOf(InvalidRequestError);
    expect(tooHigh).toMatchObject({ code: 'limit_too_high', param: 'limits.cpu_ms' });
    expect(await refusal(hub.sandboxes.create({ network: true }))).toMatchObject({ status: 403, code: 'network_not_allowed' });

    const small = await hub.sandboxes.create({ template: 'files', limits: { storage_bytes: 1_024 } });
    const full = await refusal(small.files.write('big.bin', new Uint8Array(2_000)));
    expect(full.constructor).toBe(TokenHubError);
    expect(full).toMatchObject({ status: 413, code: 'storage_quota_exceeded' });
    expect((await small.files.list()).data).toEqual([]);
    await small.delete();

    const noScope = await refusal(setup.client().sandboxes.create());
    expect(noScope).toBeInstanceOf(PermissionError);
    expect(noScope).toMatchObject({ status: 403, code: 'missing_scope' });

    const { key } = await createKey(setup.hub, {
      tenant_id: setup.tenantId,
      scopes: ['sandboxes'],
      budget: { limit_usd: '0.000001', period: 'total' },
    });
    const recording = recordingFetch();
    const poor = setup.client({ apiKey: key, fetch: recording.fetch });
    const box = await poor.sandboxes.create();
    const spent = await refusal(box.code.run('javascript', '1 + 1'));
    expect(spent).toBeInstanceOf(BudgetExceededError);
    expect(spent).toMatchObject({ status: 402, code: 'budget_exceeded' });
    expect(recording.calls.filter((call) => call.endsWith('/code'))).toHaveLength(1);
    await box.delete();
  }, 30_000);

  it('never repeats a code run after a 503, and repeats a file read', async () => {
    const recording = recordingFetch((method, path, seen) => seen === 1 && (path.endsWith('/code') || method === 'GET'));
    const flaky = setup.client({ apiKey: setup.sandboxKey, fetch: recording.fetch });
    const box = await flaky.sandboxes.create();
    await box.files.write('in.txt', 'kept');

    const failed = await refusal(box.code.run('javascript', '1 + 1'));
    expect(failed).toBeInstanceOf(ServerError);
    expect(recording.calls.filter((call) => call.endsWith('/code'))).toHaveLength(1);

    expect(await box.files.readText('in.txt')).toBe('kept');
    expect(recording.calls.filter((call) => call.endsWith('/files/in.txt'))).toEqual([
      `PUT /v1/sandboxes/${box.id}/files/in.txt`,
      `GET /v1/sandboxes/${box.id}/files/in.txt`,
      `GET /v1/sandboxes/${box.id}/files/in.txt`,
    ]);
    // The hub ran the code once: the 503 was this test's, in place of its answer.
    expect((await hub.sandboxes.get(box.id)).usage.calls).toBe(1);
    await box.delete();
  }, 30_000);
});
