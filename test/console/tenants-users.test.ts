/**
 * The Tenants and projects page and the Users and roles page, on a real hub in a real browser: the hub
 * admin creates a tenant, a project and the tenant's first owner in the UI; that owner signs in (a second
 * browser context), adds people, changes roles, disables and enables, issues a personal key, and sees the
 * hub's own refusals (email taken, last owner) next to the form. Each page: no serious axe violation,
 * screenshots in English and Chinese, no missing message in Chinese.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListResponse, Project, Tenant, User } from '../../src/admin/contract.js';
import { call, createPerson, SCRIPTED_CONFIG } from '../inbox/inbox-support.js';
import {
  browserTestsUnavailable,
  launchChromium,
  missingMessages,
  newConsoleContext,
  screenshot,
  seriousAxeViolations,
  signIn,
  signInAsAdmin,
} from '../support/browser.js';
import { admin, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

const OWNER = { email: 'olga@globex.test', name: 'Olga Owner', password: 'owner password 123' };

/** Polls for what the page shows (the machine is shared and the first render of a page can be slow). */
const eventually = <T>(probe: () => Promise<T> | T) => expect.poll(probe, { timeout: 20_000 });

/** The dialog open on the page (react-aria renders one at a time here). */
const dialog = (page: Page) => page.getByRole('dialog');

/** No serious axe violation and no missing message on the page as it is now; a screenshot of it. */
async function expectCleanPage(page: Page, name: string): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(await missingMessages(page)).toEqual([]);
  await screenshot(page, name);
}

describe.skipIf(unavailable)('the Tenants and projects and Users and roles pages', () => {
  let hub: TestHub;
  let browser: Browser;
  let globex: Tenant;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(SCRIPTED_CONFIG), launchChromium()]);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('lets the hub admin create a tenant and a project in it', async () => {
    await createTenant(hub, 'Initech');
    const { context, page, errors } = await newConsoleContext(browser);
    await signInAsAdmin(page, hub.url, hub.adminKey);
    await page.goto(`${hub.url}/console/tenants`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Tenants and projects');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await dialog(page).getByLabel('Tenant name').fill('Globex');
    await dialog(page).getByRole('button', { name: 'Create tenant' }).click();
    await eventually(() => dialog(page).count()).toBe(0);
    // The new tenant is listed and chosen: its (empty) projects show beside the list.
    await eventually(() => page.getByRole('heading', { name: 'Projects of Globex' }).count()).toBe(1);
    const tenants = await admin<ListResponse<Tenant>>(hub, 'GET', '/admin/v1/tenants');
    globex = tenants.data.find((tenant) => tenant.name === 'Globex') as Tenant;
    expect(globex).toBeDefined();
    expect(await page.getByRole('button', { name: 'Globex', pressed: true }).count()).toBe(1);

    await page.getByRole('button', { name: 'Create project' }).click();
    await dialog(page).getByLabel('Project name').fill('production');
    await dialog(page).getByRole('button', { name: 'Create project' }).click();
    await eventually(() => page.getByRole('cell', { name: 'production', exact: true }).count()).toBe(1);
    const projects = await admin<ListResponse<Project>>(hub, 'GET', `/admin/v1/projects?tenant_id=${globex.id}`);
    expect(projects.data.map((project) => project.name)).toEqual(['production']);

    // A blank name never reaches the hub twice: the hub's refusal shows in the dialog, nothing is created.
    await page.getByRole('button', { name: 'Create project' }).click();
    await dialog(page).getByLabel('Project name').fill('   ');
    await dialog(page).getByRole('button', { name: 'Create project' }).click();
    await eventually(() => dialog(page).getByRole('alert').textContent()).toMatch(/name/i);
    await page.keyboard.press('Escape');
    expect((await admin<ListResponse<Project>>(hub, 'GET', `/admin/v1/projects?tenant_id=${globex.id}`)).data).toHaveLength(1);

    // Choosing the other tenant shows its projects instead.
    await page.getByRole('button', { name: 'Initech' }).click();
    await eventually(() => page.getByRole('heading', { name: 'Projects of Initech' }).count()).toBe(1);
    await eventually(() => page.getByText('No project yet.').count()).toBe(1);
    await page.getByRole('button', { name: 'Globex' }).click();
    await eventually(() => page.getByRole('cell', { name: 'production', exact: true }).count()).toBe(1);
    await expectCleanPage(page, 'tenants-admin-en');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it("lets the hub admin add a tenant's first owner, who then signs in in another browser", async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await signInAsAdmin(page, hub.url, hub.adminKey);
    await page.goto(`${hub.url}/console/users?tenant=${globex.id}`);
    await eventually(() => page.locator('select[name="tenant"]').inputValue()).toBe(globex.id);
    await eventually(() => page.getByRole('status').filter({ hasText: 'Showing' }).textContent()).toBe('Showing 0 of 0 people');
    await page.getByRole('button', { name: 'Add user' }).click();
    await dialog(page).getByLabel('Email').fill(OWNER.email);
    await dialog(page).getByLabel('Name').fill(OWNER.name);
    await dialog(page).getByLabel('Role').selectOption('owner');
    await dialog(page).getByLabel('Initial password').fill(OWNER.password);
    await dialog(page).getByRole('button', { name: 'Add user' }).click();
    // Their first personal key, shown this once.
    const secret = await dialog(page).getByTestId('secret').textContent();
    expect(secret).toMatch(/^thk_/);
    expect(await dialog(page).textContent()).toContain("you won't see it again");
    const me = await call(hub, 'GET', '/v1/me', undefined, secret);
    expect(me.status).toBe(200);
    expect((me.body.user as { email: string }).email).toBe(OWNER.email);
    await expectCleanPage(page, 'users-admin-created-en');
    await dialog(page).getByRole('button', { name: 'Done, I have copied it' }).click();
    await eventually(() => page.getByRole('cell', { name: OWNER.email }).count()).toBe(1);
    // The admin API has no personal-key route: no Issue key button in the admin's view.
    expect(await page.getByRole('button', { name: 'Issue key' }).count()).toBe(0);
    await expectCleanPage(page, 'users-admin-en');
    expect(errors).toEqual([]);

    const second = await newConsoleContext(browser);
    await signIn(second.page, hub.url, OWNER.email, OWNER.password);
    await eventually(() => second.page.locator('.topbar .who').textContent()).toContain(`${OWNER.name} (Owner)`);
    await second.context.close();
    await context.close();
  }, 180_000);

  it('lets an owner add people, change roles, disable and enable them, and issue a personal key', async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await signIn(page, hub.url, OWNER.email, OWNER.password);
    await page.goto(`${hub.url}/console/users`);
    await eventually(() => page.getByRole('cell', { name: `${OWNER.name} (you)` }).count()).toBe(1);
    // No tenant picker for a person: the tenant is their own.
    expect(await page.locator('select[name="tenant"]').count()).toBe(0);

    await page.getByRole('button', { name: 'Add user' }).click();
    await dialog(page).getByLabel('Email').fill('dev@globex.test');
    await dialog(page).getByLabel('Name').fill('Dana Developer');
    await dialog(page).getByLabel('Role').selectOption('developer');
    await dialog(page).getByLabel('Initial password').fill('developer password 1');
    await dialog(page).getByRole('button', { name: 'Add user' }).click();
    const devKey = String(await dialog(page).getByTestId('secret').textContent());
    expect((await call(hub, 'GET', '/v1/me', undefined, devKey)).status).toBe(200);
    await dialog(page).getByRole('button', { name: 'Done, I have copied it' }).click();

    // The same email again: the hub's 409 message shows in the form, and nobody is added.
    await page.getByRole('button', { name: 'Add user' }).click();
    await dialog(page).getByLabel('Email').fill('dev@globex.test');
    await dialog(page).getByLabel('Name').fill('Dana Again');
    await dialog(page).getByRole('button', { name: 'Add user' }).click();
    await eventually(() => dialog(page).getByRole('alert').textContent()).toContain('exists already');
    // A too-short password: the hub's 400 names the rule.
    await dialog(page).getByLabel('Email').fill('short@globex.test');
    await dialog(page).getByLabel('Initial password').fill('short');
    await dialog(page).getByRole('button', { name: 'Add user' }).click();
    await eventually(() => dialog(page).getByRole('alert').textContent()).toContain('password');
    await page.keyboard.press('Escape');
    const people = await admin<ListResponse<User>>(hub, 'GET', `/admin/v1/users?tenant_id=${globex.id}`);
    expect(people.data.map((user) => user.email).sort()).toEqual(['dev@globex.test', OWNER.email]);

    const devRow = page.getByRole('row').filter({ hasText: 'dev@globex.test' });
    await devRow.getByRole('button', { name: 'Change role' }).click();
    await dialog(page).getByLabel('Role').selectOption('viewer');
    await eventually(() => dialog(page).textContent()).toContain('Reads only');
    await dialog(page).getByRole('button', { name: 'Change role' }).click();
    await eventually(() => devRow.getByRole('cell', { name: 'Viewer' }).count()).toBe(1);
    expect((await call(hub, 'GET', '/v1/me', undefined, devKey)).body.user).toMatchObject({ role: 'viewer' });

    await devRow.getByRole('button', { name: 'Disable' }).click();
    await eventually(() => dialog(page).textContent()).toContain('personal keys are revoked');
    await dialog(page).getByRole('button', { name: 'Disable' }).click();
    await eventually(() => devRow.getByText('Disabled', { exact: true }).count()).toBe(1);
    expect((await call(hub, 'GET', '/v1/me', undefined, devKey)).status).toBe(401);
    await devRow.getByRole('button', { name: 'Enable' }).click();
    await eventually(() => devRow.getByText('Active', { exact: true }).count()).toBe(1);

    // The last owner cannot step down: the hub's refusal shows in the dialog.
    const ownerRow = page.getByRole('row').filter({ hasText: OWNER.email });
    await ownerRow.getByRole('button', { name: 'Change role' }).click();
    await dialog(page).getByLabel('Role').selectOption('developer');
    await dialog(page).getByRole('button', { name: 'Change role' }).click();
    await eventually(() => dialog(page).getByRole('alert').textContent()).toContain('at least one enabled owner');
    await page.keyboard.press('Escape');

    await ownerRow.getByRole('button', { name: 'Issue key' }).click();
    await dialog(page).getByLabel('Key name (optional)').fill('laptop');
    await dialog(page).getByRole('button', { name: 'Issue key' }).click();
    const personal = String(await dialog(page).getByTestId('secret').textContent());
    expect((await call(hub, 'GET', '/v1/me', undefined, personal)).body.user).toMatchObject({ email: OWNER.email });
    await expectCleanPage(page, 'users-key-issued-en');
    await dialog(page).getByRole('button', { name: 'Done, I have copied it' }).click();

    // The role legend says what each role may do.
    const legend = page.getByRole('region', { name: 'What each role can do' });
    expect(await legend.textContent()).toContain('Works the inbox');
    await expectCleanPage(page, 'users-owner-en');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it("shows an owner their tenant's projects and lets them add one; a viewer reads them only", async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await signIn(page, hub.url, OWNER.email, OWNER.password);
    await page.goto(`${hub.url}/console/tenants`);
    await eventually(() => page.getByRole('cell', { name: 'production', exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Create tenant' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Create project' }).click();
    await dialog(page).getByLabel('Project name').fill('staging');
    await dialog(page).getByRole('button', { name: 'Create project' }).click();
    await eventually(() => page.getByRole('cell', { name: 'staging', exact: true }).count()).toBe(1);
    const projects = await admin<ListResponse<Project>>(hub, 'GET', `/admin/v1/projects?tenant_id=${globex.id}`);
    expect(projects.data.map((project) => project.name).sort()).toEqual(['production', 'staging']);
    await expectCleanPage(page, 'tenants-owner-en');
    expect(errors).toEqual([]);
    await context.close();

    await createPerson(hub, globex.id, 'viewer', 'vera@globex.test', 'viewer password 1');
    const viewer = await newConsoleContext(browser);
    await signIn(viewer.page, hub.url, 'vera@globex.test', 'viewer password 1');
    await viewer.page.goto(`${hub.url}/console/tenants`);
    await eventually(() => viewer.page.getByRole('cell', { name: 'staging', exact: true }).count()).toBe(1);
    expect(await viewer.page.getByRole('button', { name: 'Create project' }).count()).toBe(0);
    await viewer.page.goto(`${hub.url}/console/users`);
    await eventually(() => viewer.page.getByRole('cell', { name: OWNER.email }).count()).toBe(1);
    for (const button of ['Add user', 'Change role', 'Disable', 'Issue key'])
      expect(await viewer.page.getByRole('button', { name: button }).count()).toBe(0);
    await viewer.context.close();
  }, 180_000);

  it('renders both pages in Simplified Chinese with no missing message, for the admin and for an owner', async () => {
    const { context, page } = await newConsoleContext(browser, 'zh');
    await signInAsAdmin(page, hub.url, hub.adminKey);
    await page.goto(`${hub.url}/console/tenants?tenant=${globex.id}`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('租户与项目');
    await eventually(() => page.getByRole('heading', { name: 'Globex 的项目' }).count()).toBe(1);
    await page.getByRole('button', { name: '创建租户' }).click();
    await expectCleanPage(page, 'tenants-admin-dialog-zh');
    await page.keyboard.press('Escape');
    await expectCleanPage(page, 'tenants-admin-zh');
    await page.goto(`${hub.url}/console/users?tenant=${globex.id}`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('用户与角色');
    await eventually(() => page.getByRole('cell', { name: OWNER.email }).count()).toBe(1);
    await page.getByRole('button', { name: '添加用户' }).click();
    await expectCleanPage(page, 'users-admin-dialog-zh');
    await page.keyboard.press('Escape');
    await expectCleanPage(page, 'users-admin-zh');
    await context.close();

    const owner = await newConsoleContext(browser, 'zh');
    await signIn(owner.page, hub.url, OWNER.email, OWNER.password);
    await owner.page.goto(`${hub.url}/console/users`);
    await eventually(() => owner.page.getByRole('cell', { name: `${OWNER.name}（您）` }).count()).toBe(1);
    await expectCleanPage(owner.page, 'users-owner-zh');
    await owner.page.goto(`${hub.url}/console/tenants`);
    await eventually(() => owner.page.getByRole('cell', { name: 'production', exact: true }).count()).toBe(1);
    await expectCleanPage(owner.page, 'tenants-owner-zh');
    await owner.context.close();
  }, 180_000);
});
