import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../../test/support/hub.js';
import { createTracer, noopTracer } from './tracing.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpSpan {
  name: string;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number };
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** A minimal OTLP/HTTP collector: records every raw body it is sent. */
async function startCollector(): Promise<{ url: string; bodies: string[]; contentTypes: string[]; server: Server }> {
  const bodies: string[] = [];
  const contentTypes: string[] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      bodies.push(Buffer.concat(parts).toString('utf8'));
      contentTypes.push(request.headers['content-type'] ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, bodies, contentTypes, server };
}

const attributeValue = (value: OtlpValue): string | number | boolean | undefined =>
  value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? value.boolValue));

function spansOf(bodies: readonly string[]): { name: string; attributes: Record<string, unknown>; status: number }[] {
  return bodies.flatMap((body) =>
    (JSON.parse(body) as OtlpExport).resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) =>
        scope.spans.map((span) => ({
          name: span.name,
          attributes: Object.fromEntries(span.attributes.map((attribute) => [attribute.key, attributeValue(attribute.value)])),
          status: span.status?.code ?? 0,
        })),
      ),
    ),
  );
}

const UPSTREAM_SECRET = 'sk-upstream-secret-for-tracing';
let collector: Awaited<ReturnType<typeof startCollector>>;
let upstream: FakeOpenAI;
let hub: TestHub;

beforeAll(async () => {
  collector = await startCollector();
  upstream = await startFakeOpenAI({ apiKey: UPSTREAM_SECRET });
  hub = await startTestHub(
    {
      providers: [{ id: 'main', type: 'openai', base_url: upstream.url, api_key: UPSTREAM_SECRET }],
      models: [{ name: 'gpt-test', targets: [{ provider: 'main', model: 'upstream-gpt' }] }],
      routing: { retries: 0, backoff_ms: 1, timeout_ms: 5_000, first_byte_timeout_ms: 1_000 },
    },
    { otlpEndpoint: collector.url },
  );
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
  await new Promise((resolve) => collector?.server.close(resolve));
});

async function admin<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

describe('OpenTelemetry tracing', () => {
  it('exports one span per gateway request with GenAI attributes and no secrets', async () => {
    const tenant = await admin<{ id: string }>('/admin/v1/tenants', { name: 'Traced' });
    const key = await admin<{ key: string }>('/admin/v1/keys', { tenant_id: tenant.id });
    const client = new OpenAI({ apiKey: key.key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
    const { response } = await client.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 20, temperature: 0.5 })
      .withResponse();
    const requestId = response.headers.get('x-request-id');

    upstream.failNext({ kind: 'status', status: 500 });
    await expect(client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toThrow();

    await hub.hub.tracer.flush();
    expect(collector.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
    const spans = spansOf(collector.bodies);
    const served = spans.find((span) => span.attributes['tokenhub.request_id'] === requestId);
    expect(served?.name).toBe('chat gpt-test');
    expect(served?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'main',
      'gen_ai.provider.name': 'main',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.response.model': 'upstream-gpt',
      'gen_ai.request.max_tokens': 20,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 5,
      'server.address': '127.0.0.1',
      'server.port': upstream.port,
      'http.response.status_code': 200,
      'tokenhub.tenant_id': tenant.id,
      'tokenhub.attempts': 1,
    });
    expect(served?.attributes).not.toHaveProperty('error.type');

    const failed = spans.find((span) => span.attributes['tokenhub.request_id'] !== requestId && span.attributes['error.type']);
    expect(failed).toBeDefined();
    expect(failed?.status).toBe(2);
    expect(Number(failed?.attributes['http.response.status_code'])).toBeGreaterThanOrEqual(500);

    const everything = collector.bodies.join('\n');
    expect(everything).not.toContain(key.key);
    expect(everything).not.toContain(hub.adminKey);
    expect(everything).not.toContain(UPSTREAM_SECRET);
  });

  it('creates no exporter when no endpoint is configured: one shared no-op span', async () => {
    const tracer = await createTracer({});
    expect(tracer).toBe(noopTracer);
    expect(tracer.enabled).toBe(false);
    expect(tracer.startSpan('a', { x: 1 })).toBe(tracer.startSpan('b'));
    expect(await createTracer({ endpoint: '' })).toBe(noopTracer);
  });
});
