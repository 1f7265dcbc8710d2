/**
 * An Anthropic provider's `base_url` may be the host alone (as the Anthropic SDK takes it) or end in `/v1`:
 * both reach `/v1/messages`, whether the provider comes from the config file or the admin API.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../../test/fake-upstreams/anthropic.js';
import { admin } from '../../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';

const SECRET_KEY = 'k1-'.padEnd(44, 'x');

/** The part of the admin API's provider view read here. */
interface UpstreamProvider {
  base_url: string | null;
}

let claude: FakeAnthropic;
let hub: TestHub;
let client: Anthropic;
let host: string;

beforeAll(async () => {
  claude = await startFakeAnthropic();
  host = `http://127.0.0.1:${claude.port}`;
  hub = await startTestHub(
    {
      providers: [
        { id: 'host-only', type: 'anthropic', base_url: host, api_key: 'sk-ant-fake' },
        { id: 'host-slash', type: 'anthropic', base_url: `${host}/`, api_key: 'sk-ant-fake' },
        { id: 'with-v1', type: 'anthropic', base_url: `${host}/v1`, api_key: 'sk-ant-fake' },
      ],
      models: [
        { name: 'host-only', targets: [{ provider: 'host-only', model: 'claude-up' }] },
        { name: 'host-slash', targets: [{ provider: 'host-slash', model: 'claude-up' }] },
        { name: 'with-v1', targets: [{ provider: 'with-v1', model: 'claude-up' }] },
      ],
      routing: { retries: 0, backoff_ms: 1 },
    },
    { secretKey: SECRET_KEY },
  );
  client = new Anthropic({ apiKey: hub.adminKey, baseURL: hub.url, maxRetries: 0 });
});

afterAll(async () => {
  await hub?.close();
  await claude?.close();
});

async function ask(model: string): Promise<string> {
  const message = await client.messages.create({ model, max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] });
  return message.content[0]?.type === 'text' ? message.content[0].text : '';
}

describe('Anthropic base_url', () => {
  it('from the config file: the host alone, with a slash, or with /v1 all reach /v1/messages', async () => {
    for (const model of ['host-only', 'host-slash', 'with-v1']) {
      expect(await ask(model), model).toBe('Hello from fake Anthropic');
      expect(claude.requests.at(-1)?.path, model).toBe('/v1/messages');
    }
  });

  it('through the admin API: normalised when created and when changed', async () => {
    const created = await admin<UpstreamProvider>(hub, 'POST', '/admin/v1/providers', {
      id: 'admin-claude',
      type: 'anthropic',
      base_url: host,
      api_key: 'sk-ant-fake',
    });
    expect(created.base_url).toBe(`${host}/v1`);
    await admin(hub, 'POST', '/admin/v1/models', { name: 'admin-claude', targets: [{ provider: 'admin-claude', model: 'claude-up' }] });
    expect(await ask('admin-claude')).toBe('Hello from fake Anthropic');
    expect(claude.requests.at(-1)?.path).toBe('/v1/messages');

    const patched = await admin<UpstreamProvider>(hub, 'PATCH', '/admin/v1/providers/admin-claude', { base_url: `${host}/` });
    expect(patched.base_url).toBe(`${host}/v1`);
    expect(await ask('admin-claude')).toBe('Hello from fake Anthropic');
    expect(claude.requests.at(-1)?.path).toBe('/v1/messages');
  });
});
