/**
 * What a person starting the real CLI sees: a line per start-up stage and one ready block on stderr (apart
 * from the JSON logs), a data directory that a second process cannot open, a busy port said in one line,
 * an access log line per request, and `TOKENHUB_ADMIN_KEY` replacing a stored admin key for good.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { freePort, type HubProcess, startHubProcess } from '../support/hub-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const INFO = { TOKENHUB_LOG_LEVEL: 'info', TOKENHUB_ADMIN_KEY: '', TOKENHUB_DATABASE_URL: '', TOKENHUB_ACCESS_LOG: '' };

let upstream: FakeOpenAI;
let dataDir: string;
let config: Record<string, unknown>;
let hub: HubProcess | undefined;
let port: number;
let generatedKey = '';
const dirs: string[] = [];

beforeAll(async () => {
  upstream = await startFakeOpenAI({ reply: 'hello from upstream' });
  dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-start-'));
  dirs.push(dataDir);
  config = {
    providers: [{ id: 'fake', type: 'openai', base_url: upstream.url }],
    models: [{ name: 'gpt-test', targets: [{ provider: 'fake', model: 'up-1' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } }],
  };
});

afterAll(async () => {
  hub?.child.kill('SIGKILL');
  await upstream?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Runs `tokenhub start` expecting it to stop by itself; resolves with its exit code and everything it printed. */
async function startExpectingExit(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), 'start', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...INFO, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  return { code, output };
}

function adminGet(url: string, key: string): Promise<Response> {
  return fetch(`${url}/admin/v1/tenants`, { headers: { authorization: `Bearer ${key}` } });
}

function accessLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.access === true);
}

describe('tokenhub start, as a person sees it', () => {
  it('prints a line per stage and a ready block with the URL, config, data dir and generated admin key; a stale lock is taken over', {
    timeout: 90_000,
  }, async () => {
    // A lock left by a process that is gone (kill -9, a crash).
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(dataDir, 'tokenhub.lock'), `${dead}\n`);
    port = await freePort();
    hub = await startHubProcess({ dataDir, config, port, env: INFO });
    const started = hub;
    await expect.poll(() => started.output(), { timeout: 10_000 }).toContain('TokenHub is ready at');
    const output = hub.output();
    const stages = [
      'creating the embedded database',
      'migrating the database',
      'replaying the usage journal',
      'loading providers and models',
      `listening on 127.0.0.1:${port}`,
    ];
    let at = -1;
    for (const stage of stages) {
      const next = output.indexOf(`tokenhub: ${stage}`);
      expect(next, stage).toBeGreaterThan(at);
      at = next;
    }
    expect(output).toContain(`TokenHub is ready at http://127.0.0.1:${port}`);
    expect(output).toContain(`config:    ${join(dataDir, 'tokenhub.yaml')}`);
    expect(output).toContain(`data dir:  ${dataDir}`);
    generatedKey = /admin key: (thadm_\S+)/.exec(output)?.[1] ?? '';
    expect(generatedKey).not.toBe('');
    // Not a terminal: no spinner, no control characters.
    expect(output).not.toContain('\x1b');
    expect((await adminGet(hub.url, generatedKey)).status).toBe(200);
  });

  it('a second start on the same data directory says who holds it and exits non-zero, the first keeps serving', {
    timeout: 60_000,
  }, async () => {
    const second = await startExpectingExit(['--data-dir', dataDir, '--port', String(await freePort())]);
    expect(second.code).not.toBe(0);
    expect(second.output).toContain(`tokenhub: data directory ${dataDir} is in use by pid ${hub?.child.pid}`);
    expect(second.output).not.toContain('Aborted');
    expect((await fetch(`${hub?.url}/healthz`)).status).toBe(200);
  });

  it('a busy port is one line and a non-zero exit, no stack trace', { timeout: 60_000 }, async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'tokenhub-start-'));
    dirs.push(otherDir);
    const busy = await startExpectingExit(['--data-dir', otherDir, '--port', String(port)], { TOKENHUB_ADMIN_KEY: 'thadm_busy_port_key' });
    expect(busy.code).not.toBe(0);
    expect(busy.output).toContain(`tokenhub: port ${port} on 127.0.0.1 is already in use`);
    expect(busy.output).not.toMatch(/^\s+at /m);
    expect(existsSync(join(otherDir, 'tokenhub.lock'))).toBe(false);
  });

  it('logs one access line per request, with route, status, model, key id, tokens, cost and request id, never the key or body', {
    timeout: 60_000,
  }, async () => {
    const url = hub?.url ?? '';
    const admin = { authorization: `Bearer ${generatedKey}`, 'content-type': 'application/json' };
    const tenant = (await (await fetch(`${url}/admin/v1/tenants`, { method: 'POST', headers: admin, body: '{"name":"acme"}' })).json()) as {
      id: string;
    };
    const created = (await (
      await fetch(`${url}/admin/v1/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ tenant_id: tenant.id }) })
    ).json()) as { id: string; key: string };
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'a secret prompt' }] }),
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    const started = hub as HubProcess;
    await expect.poll(() => accessLines(started.output()).find((line) => line.request_id === requestId), { timeout: 5_000 }).toBeTruthy();
    const line = accessLines(started.output()).find((entry) => entry.request_id === requestId);
    expect(line).toMatchObject({
      level: 30,
      method: 'POST',
      route: '/v1/chat/completions',
      status: 200,
      model: 'gpt-test',
      key_id: created.id,
      tenant_id: tenant.id,
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
      cost_usd: expect.stringMatching(/^\d+\.\d+$/),
      duration_ms: expect.any(Number),
    });
    const text = JSON.stringify(line);
    expect(text).not.toContain(created.key);
    expect(text).not.toContain('secret prompt');
    expect(text).not.toContain('hello from upstream');
    // Requests that are not metered get a line too (no model, no key).
    const keyCreation = accessLines(started.output()).find((entry) => entry.route === '/admin/v1/keys');
    expect(keyCreation).toMatchObject({ method: 'POST', status: 201 });
    expect(keyCreation).not.toHaveProperty('key_id');
    expect(JSON.stringify(keyCreation)).not.toContain(created.key);
  });

  it('SIGTERM drains and removes the lock; TOKENHUB_ADMIN_KEY then replaces the stored key for good, TOKENHUB_ACCESS_LOG=false silences the access log', {
    timeout: 120_000,
  }, async () => {
    const first = hub as HubProcess;
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dataDir, 'tokenhub.lock'))).toBe(false);

    const recovered = 'thadm_recovered_after_a_lost_key';
    hub = await startHubProcess({ dataDir, config, port, env: { ...INFO, TOKENHUB_ADMIN_KEY: recovered, TOKENHUB_ACCESS_LOG: 'false' } });
    const second = hub;
    expect(second.output()).toContain('tokenhub: opening the embedded database');
    expect(second.output()).not.toContain('admin key:');
    expect((await adminGet(second.url, recovered)).status).toBe(200);
    expect((await adminGet(second.url, generatedKey)).status).toBe(401);
    expect(accessLines(second.output())).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    // Unset again: the replacement stays, the lost key stays refused.
    hub = await startHubProcess({ dataDir, config, port, env: INFO });
    const third = hub;
    expect((await adminGet(third.url, recovered)).status).toBe(200);
    expect((await adminGet(third.url, generatedKey)).status).toBe(401);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    hub = undefined;
  });
});
