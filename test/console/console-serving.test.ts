import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConsoleDir } from '../../src/gateway/console/console-routes.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const built = defaultConsoleDir();
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({});
}, 180_000);
afterAll(async () => hub?.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${hub.url}${path}`, { headers });

describe.skipIf(!built)('the console at /console', () => {
  it('serves the app under a strict Content-Security-Policy, never cached, for /console and any page under it', async () => {
    for (const path of ['/console', '/console/', '/console/keys', '/console/inbox/task_123?x=1']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      const html = await response.text();
      expect(html).toContain('<div id="root"></div>');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });

  it('serves hashed assets precompressed (brotli, then gzip) and cached for a year', async () => {
    const html = await (await get('/console')).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const br = await get(script!, { 'accept-encoding': 'br, gzip' });
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable|immutable.*max-age=31536000/);
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    const gzip = await get(script!, { 'accept-encoding': 'gzip' });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    const plain = await get(script!, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect((await plain.text()).length).toBeGreaterThan(1000);
  });

  it('answers an unknown asset with a 404 in the hub error shape, not the app', async () => {
    const response = await get('/console/assets/nope-123.js');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('asset_not_found');
    expect((await get('/console/assets/../../package.json')).status).not.toBe(200);
  });
});

describe.runIf(!built)('without a console build', () => {
  it('says how to build it', () => {
    console.warn('console not built: run `npm run build:console`; the serving tests are skipped');
  });
});
