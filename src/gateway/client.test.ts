import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../test/fake-upstreams/openai.js';
import { createKey, createTenant, ledgerRowByClientId } from '../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../test/support/hub.js';
import { HubError } from '../core/index.js';

let upstream: FakeOpenAI;
let hub: TestHub;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  hub = await startTestHub({
    providers: [{ id: 'up', type: 'openai', base_url: upstream.url }],
    models: [
      { name: 'gpt-4o-mini', targets: [{ provider: 'up', model: 'gpt-4o-mini' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
    ],
  });
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

describe('in-process gateway client (for agents)', () => {
  it('routes, admits and meters exactly like HTTP traffic, to the principal it acts for', async () => {
    const tenant = await createTenant(hub, 'agents');
    const key = await createKey(hub, { tenant_id: tenant.id, models: ['gpt-4o-mini'] });
    const principal = await hub.hub.economy.gate.authenticate(key.key);
    const result = await hub.hub.client.chat(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: false },
      { principal, clientRequestId: 'agent_turn_1' },
    );
    expect(result.choices[0]?.message.content).toBe('Hello from fake OpenAI!');
    const row = await ledgerRowByClientId(hub, 'agent_turn_1');
    expect(row.request_id).toMatch(/^req_/);
    expect(row).toMatchObject({ tenant_id: tenant.id, key_id: key.id, surface: 'internal', prompt_tokens: 11, completion_tokens: 5 });

    const started = await hub.hub.client.streamChat(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { principal, clientRequestId: 'agent_turn_2' },
    );
    let text = '';
    for await (const part of started.parts) if (part.type === 'text-delta') text += part.text;
    expect(text).toBe('Hello from fake OpenAI!');
    expect(await ledgerRowByClientId(hub, 'agent_turn_2')).toMatchObject({ stream: true, usage_source: 'upstream', completion_tokens: 5 });
  });

  it('applies the same model restrictions', async () => {
    const tenant = await createTenant(hub, 'restricted');
    const key = await createKey(hub, { tenant_id: tenant.id, models: ['other-model'] });
    const principal = await hub.hub.economy.gate.authenticate(key.key);
    const refused = await hub.hub.client
      .chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: false }, { principal })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HubError);
    expect((refused as HubError).status).toBe(403);
  });
});
