import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant } from '../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../test/support/hub.js';

const CLI = join(import.meta.dirname, 'index.ts');

type Json = Record<string, unknown>;

let hub: TestHub;
let tenantId: string;
let serviceKey: string;
let operatorKey = '';
let resolvedTaskId = '';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI in a child process, with `input` on its stdin and no keys from the environment unless given. */
function tokenhub(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '--url', hub.url], {
      env: { ...process.env, TOKENHUB_ADMIN_KEY: '', TOKENHUB_API_KEY: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

async function ok(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
  const ran = await tokenhub(args, options);
  if (ran.code !== 0) throw new Error(`tokenhub ${args.join(' ')} → ${ran.code}: ${ran.stderr}`);
  return ran.stdout;
}

async function call(method: string, path: string, body: unknown, key: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [{ name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }] }],
  });
  tenantId = (await createTenant(hub, 'cli-inbox')).id;
  serviceKey = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
  const agent = await call(
    'POST',
    '/v1/agents',
    { name: 'support', model: 'scripted', tools: [{ type: 'builtin', name: 'transfer_to_human' }], escalation: { queue: 'billing' } },
    serviceKey,
  );
  expect(agent.status, JSON.stringify(agent.body)).toBe(201);
});

afterAll(async () => {
  await hub?.close();
});

describe('tokenhub users and tokenhub inbox against a running hub', () => {
  it('adds an operator with a password from stdin, lists people, and works a hand-off with their key', { timeout: 240_000 }, async () => {
    const admin = ['--admin-key', hub.adminKey];
    const created = await ok(
      [
        'users',
        'create',
        '--tenant',
        tenantId,
        '--email',
        'ola@shop.test',
        '--name',
        'Ola',
        '--role',
        'operator',
        '--password-stdin',
        ...admin,
      ],
      { input: 'correct horse battery\n' },
    );
    expect(created).toMatch(/^created user usr_\w+ \(ola@shop\.test, operator\)$/m);
    const key = /^key \(shown once\): (\S+)$/m.exec(created)?.[1] ?? '';
    expect(key).toMatch(/^thk_/);
    operatorKey = key;
    // The password came through stdin whole, without its line break.
    const login = await fetch(`${hub.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ola@shop.test', password: 'correct horse battery' }),
    });
    expect(login.status).toBe(200);

    await ok(['users', 'create', '--tenant', tenantId, '--email', 'vi@shop.test', '--name', 'Vi', '--role', 'viewer', ...admin]);
    const listed = await ok(['users', 'list', '--tenant', tenantId, ...admin]);
    expect(listed.split('\n')[0]).toMatch(/^id\s+email\s+name\s+role\s+has_password\s+disabled\s+created_at$/);
    expect(listed).toMatch(/ola@shop\.test\s+Ola\s+operator\s+true\s+false/);
    expect(listed).toMatch(/vi@shop\.test\s+Vi\s+viewer\s+false\s+false/);
    const operators = JSON.parse(await ok(['users', 'list', '--tenant', tenantId, '--role', 'operator', '--json', ...admin])) as Json[];
    expect(operators.map((user) => user.email)).toEqual(['ola@shop.test']);
    const badRole = await tokenhub([
      'users',
      'create',
      '--tenant',
      tenantId,
      '--email',
      'x@shop.test',
      '--name',
      'X',
      '--role',
      'boss',
      ...admin,
    ]);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('--role must be one of owner, developer, operator, viewer');

    // A customer's conversation handed to a person.
    const threadId = String((await call('POST', '/v1/threads', {}, serviceKey)).body.id);
    hub.hub
      .scripted('script')
      .setScript([
        { tool_calls: [{ name: 'transfer_to_human', arguments: { summary: 'Double charge on invoice 7.', reason: 'billing' } }] },
      ]);
    const posted = await call('POST', `/v1/threads/${threadId}/messages`, { agent: 'support', content: 'I was charged twice' }, serviceKey);
    expect((posted.body.run as Json).status).toBe('handed_off');

    const env = { TOKENHUB_API_KEY: key };
    let open = '';
    for (let attempt = 0; attempt < 40 && !open.includes('handoff'); attempt++) {
      open = await ok(['inbox', 'list', '--queue', 'billing'], { env });
      if (!open.includes('handoff')) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(open.split('\n')[0]).toMatch(/^id\s+kind\s+status\s+priority\s+queue\s+reason\s+agent\s+assignee\s+due_at\s+subject$/);
    const taskId = /^(tsk_\S+)\s+handoff\s+open\s+normal\s+billing\s+billing\s+support\s+-\s+\S+\s+Double charge on invoice 7\.$/m.exec(
      open,
    )?.[1];
    expect(taskId, open).toBeTruthy();
    expect(await ok(['inbox', 'list', '--queue', 'elsewhere'], { env })).not.toContain(taskId);

    expect(await ok(['inbox', 'claim', String(taskId), '--lease-seconds', '600'], { env })).toMatch(
      new RegExp(`^claimed ${taskId} \\(claimed, lease until \\S+Z\\)$`, 'm'),
    );
    // `--key` is the same as the variable.
    expect(await ok(['inbox', 'reply', String(taskId), 'Refunded the second charge.', '--key', key])).toMatch(
      new RegExp(`^sent \\S+ in ${threadId}$`, 'm'),
    );
    expect(await ok(['inbox', 'resolve', String(taskId), 'refunded duplicate'], { env })).toContain(`resolved ${taskId} (resolved)`);

    const transcript = await call('GET', `/v1/threads/${threadId}/messages`, undefined, serviceKey);
    expect((transcript.body.data as Json[]).at(-1)).toMatchObject({ role: 'human', author: 'Ola', content: 'Refunded the second charge.' });
    const task = await call('GET', `/v1/inbox/tasks/${taskId}`, undefined, key);
    expect(task.body).toMatchObject({ status: 'resolved', resolution: 'refunded duplicate' });
    const resolved = JSON.parse(await ok(['inbox', 'list', '--status', 'resolved', '--json'], { env })) as Json[];
    expect(resolved.map((row) => row.id)).toEqual([taskId]);
    resolvedTaskId = String(taskId);
  });

  it('fails with the hub’s own message: no key, the admin key, a task already closed', { timeout: 120_000 }, async () => {
    const noKey = await tokenhub(['inbox', 'list']);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toBe('tokenhub: a personal key is required: --key or TOKENHUB_API_KEY\n');
    const asAdmin = await tokenhub(['inbox', 'list', '--key', hub.adminKey]);
    expect(asAdmin.code).toBe(1);
    expect(asAdmin.stderr).toMatch(/^tokenhub: GET \/v1\/inbox\/tasks\?limit=50&status=open → 403: /);
    const service = await tokenhub(['inbox', 'claim', 'tsk_missing', '--key', serviceKey]);
    expect(service.code).toBe(1);
    expect(service.stderr).toMatch(/→ 403: /);
    const closed = await tokenhub(['inbox', 'claim', resolvedTaskId, '--key', operatorKey]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toBe(`tokenhub: POST /v1/inbox/tasks/${resolvedTaskId}/claim → 409: Task \`${resolvedTaskId}\` is resolved.\n`);
  });
});
