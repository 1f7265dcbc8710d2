/**
 * OpenID Connect sign-in against a real (fake) issuer on 127.0.0.1: the authorization code flow with PKCE,
 * state and nonce, a person matched by verified email, provisioning, refusals, and the console's browser flow.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOidcIssuer, startFakeOidcIssuer } from '../fake-upstreams/fake-oidc-issuer.js';
import { createPerson } from '../inbox/inbox-support.js';
import { browserTestsUnavailable, launchChromium, newConsoleContext, screenshot } from '../support/browser.js';
import { createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { getTestDb } from '../support/test-db.js';

let issuer: FakeOidcIssuer;
let hub: TestHub;
let tenantId: string;

beforeAll(async () => {
  issuer = await startFakeOidcIssuer();
  hub = await startTestHub({
    auth: { oidc: { issuer: issuer.issuer, client_id: issuer.clientId, client_secret: issuer.clientSecret, allow_http: true } },
  });
  tenantId = (await createTenant(hub, 'sso')).id;
  await createPerson(hub, tenantId, 'developer', 'dev@sso.test');
}, 180_000);

afterAll(async () => {
  await hub?.close();
  await issuer?.close();
});

const cookiesOf = (response: Response): string[] => response.headers.getSetCookie();
const cookieValue = (cookies: string[], name: string): string | undefined =>
  cookies
    .map((cookie) => cookie.split(';')[0] ?? '')
    .find((pair) => pair.startsWith(`${name}=`))
    ?.slice(name.length + 1);

/** Follows the flow the way a browser does, one redirect at a time; returns the final redirect and its cookies. */
async function signInThroughIssuer(): Promise<{ location: string; cookies: string[] }> {
  const start = await fetch(`${hub.url}/v1/auth/sso/login`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const pending = cookiesOf(start).find((cookie) => cookie.startsWith('tokenhub_sso='));
  expect(pending).toMatch(/HttpOnly/i);
  expect(pending).toMatch(/SameSite=Lax/i);
  const authorize = new URL(start.headers.get('location') ?? '');
  expect(authorize.origin).toBe(issuer.issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${hub.url}/v1/auth/sso/callback`);
  const atIssuer = await fetch(authorize, { redirect: 'manual' });
  const callback = atIssuer.headers.get('location') ?? '';
  const back = await fetch(callback, { redirect: 'manual', headers: { cookie: (pending ?? '').split(';')[0] ?? '' } });
  expect(back.status).toBe(302);
  return { location: back.headers.get('location') ?? '', cookies: cookiesOf(back) };
}

describe('single sign-on with OpenID Connect', () => {
  it('says it is on', async () => {
    expect(await (await fetch(`${hub.url}/v1/auth/sso`)).json()).toEqual({ object: 'sso', enabled: true, login_url: '/v1/auth/sso/login' });
  });

  it('signs a known person in by verified email: a session cookie, the CSRF token handed to the console, then the console', async () => {
    issuer.signInAs({ sub: 'idp-1', email: 'DEV@sso.test', email_verified: true, name: 'Dev' });
    const { location, cookies } = await signInThroughIssuer();
    expect(location).toBe('/console/');
    const session = cookieValue(cookies, 'tokenhub_session');
    const csrf = cookieValue(cookies, 'tokenhub_csrf');
    expect(session).toBeTruthy();
    expect(csrf).toBeTruthy();
    expect(cookies.find((cookie) => cookie.startsWith('tokenhub_session='))).toMatch(/HttpOnly/i);
    const me = (await (await fetch(`${hub.url}/v1/me`, { headers: { cookie: `tokenhub_session=${session}` } })).json()) as {
      user: { email: string; role: string };
    };
    expect(me.user).toMatchObject({ email: 'dev@sso.test', role: 'developer' });
    // The handed-over token is the session's CSRF token: a cookie write with it passes, without it is refused.
    const write = (token?: string) =>
      fetch(`${hub.url}/v1/auth/logout`, {
        method: 'POST',
        headers: { cookie: `tokenhub_session=${session}`, ...(token ? { 'x-csrf-token': token } : {}) },
      });
    expect((await write()).status).toBe(403);
    expect((await write(csrf)).status).toBe(204);
  });

  it('refuses an unknown person (no provisioning), an unverified email and a callback without the pending sign-in', async () => {
    issuer.signInAs({ sub: 'idp-2', email: 'stranger@sso.test', email_verified: true });
    expect((await signInThroughIssuer()).location).toBe('/console/login?sso_error=sso_user_unknown');
    issuer.signInAs({ sub: 'idp-3', email: 'dev@sso.test', email_verified: false });
    expect((await signInThroughIssuer()).location).toBe('/console/login?sso_error=sso_email_unverified');
    issuer.signInAs({ sub: 'idp-4' });
    expect((await signInThroughIssuer()).location).toBe('/console/login?sso_error=sso_email_missing');
    const forged = await fetch(`${hub.url}/v1/auth/sso/callback?code=abc&state=xyz`, { redirect: 'manual' });
    expect(forged.headers.get('location')).toBe('/console/login?sso_error=sso_state_missing');
    expect(cookieValue(cookiesOf(forged), 'tokenhub_session')).toBeUndefined();
  });

  it('refuses a callback whose state does not match the pending sign-in', async () => {
    issuer.signInAs({ sub: 'idp-1', email: 'dev@sso.test', email_verified: true });
    const start = await fetch(`${hub.url}/v1/auth/sso/login`, { redirect: 'manual' });
    const pending = (cookiesOf(start).find((cookie) => cookie.startsWith('tokenhub_sso=')) ?? '').split(';')[0] ?? '';
    const callback = new URL((await fetch(start.headers.get('location') ?? '', { redirect: 'manual' })).headers.get('location') ?? '');
    callback.searchParams.set('state', 'not-the-state');
    const back = await fetch(callback, { redirect: 'manual', headers: { cookie: pending } });
    expect(back.headers.get('location')).toBe('/console/login?sso_error=sso_refused');
  });
});

describe('single sign-on that provisions new people', () => {
  it('creates an unknown person with the configured role in the configured tenant, and knows them next time', async () => {
    const database = await getTestDb();
    const first = await startTestHub({}, { database: database.db });
    const tenant = await createTenant(first, 'provisioned');
    await first.close();
    const provisioning = await startTestHub(
      {
        auth: {
          oidc: {
            issuer: issuer.issuer,
            client_id: issuer.clientId,
            client_secret: issuer.clientSecret,
            allow_http: true,
            provision: { tenant_id: tenant.id, role: 'viewer' },
          },
        },
      },
      { database: database.db },
    );
    try {
      const signIn = async () => {
        const start = await fetch(`${provisioning.url}/v1/auth/sso/login`, { redirect: 'manual' });
        const pending = (cookiesOf(start).find((cookie) => cookie.startsWith('tokenhub_sso=')) ?? '').split(';')[0] ?? '';
        const callback = (await fetch(start.headers.get('location') ?? '', { redirect: 'manual' })).headers.get('location') ?? '';
        const back = await fetch(callback, { redirect: 'manual', headers: { cookie: pending } });
        return { location: back.headers.get('location'), session: cookieValue(cookiesOf(back), 'tokenhub_session') };
      };
      issuer.signInAs({ sub: 'idp-new', email: 'new.person@sso.test', email_verified: true, name: 'New Person' });
      const once = await signIn();
      expect(once.location).toBe('/console/');
      const me = (await (await fetch(`${provisioning.url}/v1/me`, { headers: { cookie: `tokenhub_session=${once.session}` } })).json()) as {
        tenant_id: string;
        user: { email: string; name: string; role: string; has_password: boolean };
      };
      expect(me.tenant_id).toBe(tenant.id);
      expect(me.user).toMatchObject({ email: 'new.person@sso.test', name: 'New Person', role: 'viewer', has_password: false });
      const twice = await signIn();
      expect(twice.location).toBe('/console/');
      const users = (await (
        await fetch(`${provisioning.url}/admin/v1/users?tenant_id=${tenant.id}`, {
          headers: { authorization: `Bearer ${provisioning.adminKey}` },
        })
      ).json()) as { data: { email: string }[] };
      expect(users.data.filter((user) => user.email === 'new.person@sso.test')).toHaveLength(1);
    } finally {
      await provisioning.close();
      await database.close();
    }
  }, 240_000);
});

const unavailable = browserTestsUnavailable();
describe.skipIf(unavailable)('single sign-on in the console', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => browser?.close());

  it('offers the button, signs the person in, and their writes carry the handed-over CSRF token', async () => {
    issuer.signInAs({ sub: 'idp-1', email: 'dev@sso.test', email_verified: true, name: 'Dev' });
    const { context, page, errors } = await newConsoleContext(browser);
    await page.goto(`${hub.url}/console/login`);
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await page.waitForURL(/\/console\/(?!login)/);
    await expect.poll(() => page.locator('.topbar .who').textContent()).toContain('(Developer)');
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('tokenhub.csrf'),
      ),
    ).toBeTruthy();
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain(
      'tokenhub_csrf',
    );
    await screenshot(page, 'sso-signed-in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/login$/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows why a sign-in was refused', async () => {
    issuer.signInAs({ sub: 'idp-9', email: 'stranger@sso.test', email_verified: true });
    const { context, page } = await newConsoleContext(browser);
    await page.goto(`${hub.url}/console/login`);
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await page.waitForURL(/sso_error=sso_user_unknown/);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('no TokenHub user with your email');
    await context.close();
  });
});
