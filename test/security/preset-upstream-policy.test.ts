/**
 * The upstream URL policy judges the URL a provider will really call, its preset's default included (attack
 * report F8): under `allow_loopback: false`, a `vllm` preset without a base_url (127.0.0.1:8000) is refused
 * when created or PATCHed, and a row stored before the policy was tightened is not served. These tests only
 * ever assert refusals; nothing here makes the hub connect anywhere but loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.js';

const SECRET_KEY = 'k1-'.padEnd(44, 'x');
const STRICT = { security: { upstream_urls: { allow_loopback: false, allow_private: false } }, routing: { retries: 0 } };

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { message: string; param?: string | null } };
}

async function call(hub: TestHub, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

let strict: TestHub;

beforeAll(async () => {
  strict = await startTestHub(STRICT, { secretKey: SECRET_KEY });
});

afterAll(async () => {
  await strict?.close();
});

describe('preset-only providers under a strict upstream URL policy', () => {
  it('are refused at create when the preset defaults to a loopback address', async () => {
    for (const [preset, address] of [
      ['vllm', '127.0.0.1:8000'],
      ['sglang', '127.0.0.1:30000'],
      ['ollama', '127.0.0.1:11434'],
      ['llamacpp', '127.0.0.1:8080'],
    ] as const) {
      const answer = await call(strict, 'POST', '/admin/v1/providers', {
        id: `pre-${preset}`,
        type: 'openai',
        preset,
        api_key: 'sk-preset-KEY-0001',
      });
      expect(answer.status, preset).toBe(400);
      expect(answer.body.error?.param, preset).toBe('preset');
      expect(answer.body.error?.message, preset).toContain(`${preset} connects to http://${address}/v1`);
      expect(answer.body.error?.message, preset).toMatch(/loopback address, which the upstream URL policy refuses/);
      expect((await call(strict, 'GET', `/admin/v1/providers/pre-${preset}`)).status).toBe(404);
    }
  });

  it('are refused when a PATCH moves a provider onto such a preset, and the provider stays as it was', async () => {
    // A public IP literal needs no DNS and is never called: no model routes to it.
    const created = await call(strict, 'POST', '/admin/v1/providers', {
      id: 'pub',
      type: 'openai',
      base_url: 'https://8.8.8.8/v1',
      api_key: 'sk-strict-patch-KEY',
    });
    expect(created.status).toBe(201);
    const patched = await call(strict, 'PATCH', '/admin/v1/providers/pub', { preset: 'vllm', base_url: null });
    expect(patched.status).toBe(400);
    expect(patched.body.error?.param).toBe('preset');
    expect((await call(strict, 'GET', '/admin/v1/providers/pub')).body).toMatchObject({
      base_url: 'https://8.8.8.8/v1',
      preset: null,
      status: 'ready',
    });
    // A preset with an allowed base_url of its own is fine.
    expect((await call(strict, 'PATCH', '/admin/v1/providers/pub', { preset: 'vllm' })).status).toBe(200);
    expect((await call(strict, 'DELETE', '/admin/v1/providers/pub')).status).toBe(200);
  });

  it('stored before the policy was tightened are not served after a restart, and say why', async () => {
    const open = await startTestHub({ routing: { retries: 0 } }, { secretKey: SECRET_KEY });
    const shared = { database: open.hub.db, dataDir: open.dataDir, secretKey: SECRET_KEY };
    try {
      expect(
        (await call(open, 'POST', '/admin/v1/providers', { id: 'old-vllm', type: 'openai', preset: 'vllm', api_key: 'sk-old-KEY-0002' }))
          .status,
      ).toBe(201);
      expect(
        (await call(open, 'POST', '/admin/v1/models', { name: 'old-model', targets: [{ provider: 'old-vllm', model: 'm' }] })).status,
      ).toBe(201);
      await open.hub.close();

      const tightened = await startTestHub(STRICT, shared);
      try {
        const provider = await call(tightened, 'GET', '/admin/v1/providers/old-vllm');
        expect(provider.body).toMatchObject({ status: 'unavailable', preset: 'vllm', base_url: null });
        expect(String(provider.body.problem)).toMatch(/127\.0\.0\.1 is a loopback address/);
        const chat = await call(tightened, 'POST', '/v1/chat/completions', {
          model: 'old-model',
          messages: [{ role: 'user', content: 'hi' }],
        });
        expect(chat.status).toBe(503);
        expect(chat.body.error?.message).toContain('provider old-vllm is unavailable');
        const ready = (await (await fetch(`${tightened.url}/readyz`)).json()) as { checks: Record<string, string> };
        expect(ready.checks.upstreams).toMatch(/provider old-vllm: .*loopback/);
      } finally {
        await tightened.hub.close();
      }
    } finally {
      await open.close();
    }
  });
});
