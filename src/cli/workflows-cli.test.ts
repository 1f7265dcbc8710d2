/**
 * `tokenhub workflows` against a running hub, through the real CLI in a child process: apply a YAML file
 * (created, then unchanged), apply a changed JSON file (updated), list, get, versions, activate an old
 * version, delete; and the hub's own error, naming step and field, for a bad document. With a tenant key:
 * `run` (sync, background, waiting for a person, failed), `runs` and `run-get`. And `test` on its fixtures:
 * the exit codes and the report of a whole run of the harness.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { call, type Json, startWorkflowHub, type WorkflowHub } from '../../test/support/workflows.js';

const CLI = join(import.meta.dirname, 'index.ts');

let setup: WorkflowHub;
let folder: string;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

const adminArgs = (): string[] => ['--url', setup.hub.url, '--admin-key', setup.hub.adminKey];

/** The CLI with `extra` appended (by default the hub's URL and admin key) and `env` over a clean environment. */
function tokenhub(args: string[], extra = adminArgs(), env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, ...extra], {
      env: { ...process.env, TOKENHUB_ADMIN_KEY: '', TOKENHUB_API_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
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
  });
}

async function ok(args: string[], extra = adminArgs(), env: Record<string, string> = {}): Promise<string> {
  const ran = await tokenhub(args, extra, env);
  if (ran.code !== 0) throw new Error(`tokenhub ${args.join(' ')} → ${ran.code}: ${ran.stderr}`);
  return ran.stdout;
}

const FIRST = `
apiVersion: tokenhub.dev/v1
kind: Workflow
metadata: { name: returns, description: Triage and answer a return }
spec:
  steps:
    - id: triage
      kind: agent
      agent: triage
      input: "\${{ input.message }}"
`;

const SECOND = {
  apiVersion: 'tokenhub.dev/v1',
  kind: 'Workflow',
  metadata: { name: 'returns', description: 'Triage and answer a return' },
  spec: {
    steps: [
      { id: 'triage', kind: 'agent', agent: 'triage', input: `\${{ input.message }}` },
      { id: 'answer', kind: 'llm', model: 'scripted', prompt: `Answer: \${{ steps.triage.output.text }}` },
    ],
  },
};

beforeAll(async () => {
  setup = await startWorkflowHub();
  folder = await mkdtemp(join(tmpdir(), 'tokenhub-workflows-cli-'));
  await writeFile(join(folder, 'returns.yaml'), FIRST);
  await writeFile(join(folder, 'returns.json'), JSON.stringify(SECOND, null, 2));
  await writeFile(join(folder, 'bad.yaml'), FIRST.replace('agent: triage', 'agent: nobody'));
  await writeFile(join(folder, 'broken.yaml'), 'apiVersion: [tokenhub');
}, 120_000);

afterAll(async () => {
  await setup?.hub.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('tokenhub workflows against a running hub', () => {
  it('applies, lists, reads, rolls back and deletes a workflow', { timeout: 240_000 }, async () => {
    const tenant = ['--tenant', setup.tenantId];
    expect(await ok(['workflows', 'apply', join(folder, 'returns.yaml'), ...tenant])).toBe(
      'created workflow returns: version 1 (now active)\n',
    );
    expect(await ok(['workflows', 'apply', join(folder, 'returns.yaml'), ...tenant])).toBe(
      'unchanged workflow returns: version 1 (already active)\n',
    );
    expect(await ok(['workflows', 'apply', join(folder, 'returns.json'), ...tenant])).toBe(
      'updated workflow returns: version 2 (now active)\n',
    );

    const listed = (await ok(['workflows', 'list', ...tenant])).split('\n');
    expect(listed[0]).toMatch(/^name\s+active_version\s+latest_version\s+description\s+updated_at$/);
    expect(listed[1]).toMatch(/^returns\s+2\s+2\s+Triage and answer a return\s+\d{4}-\d\d-\d\dT/);

    const shown = await ok(['workflows', 'get', 'returns', ...tenant]);
    expect(shown.split('\n')[0]).toBe('# returns: version 2 of 2');
    // What `get` prints is a document `apply` takes back.
    expect(parseYaml(shown)).toMatchObject(SECOND);

    const versions = (await ok(['workflows', 'versions', 'returns', ...tenant])).split('\n');
    expect(versions[0]).toMatch(/^version\s+active\s+steps\s+created_at$/);
    expect(versions.slice(1, 3).map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      ['1', 'false', '1'],
      ['2', 'true', '2'],
    ]);

    expect(await ok(['workflows', 'activate', 'returns', '1', ...tenant])).toBe('workflow returns now serves version 1 (latest 2)\n');
    const served = await call(setup.hub, 'GET', '/v1/workflows/returns', setup.key);
    expect(served.body).toMatchObject({ active_version: 1, latest_version: 2 });
    const json = JSON.parse(await ok(['workflows', 'get', 'returns', '--json', ...tenant])) as { document: { spec: { steps: unknown[] } } };
    expect(json.document.spec.steps).toHaveLength(1);

    expect(await ok(['workflows', 'delete', 'returns', ...tenant])).toBe('deleted workflow returns\n');
    const gone = await tokenhub(['workflows', 'get', 'returns', ...tenant]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/404: No workflow named `returns`/);
  });

  it("reports the hub's error for a bad document, and the CLI's own for a file it cannot use", { timeout: 240_000 }, async () => {
    const tenant = ['--tenant', setup.tenantId];
    const bad = await tokenhub(['workflows', 'apply', join(folder, 'bad.yaml'), ...tenant]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/400: Invalid workflow: step "triage" agent: there is no agent "nobody"/);
    const broken = await tokenhub(['workflows', 'apply', join(folder, 'broken.yaml'), ...tenant]);
    expect([broken.code, broken.stderr]).toEqual([1, expect.stringMatching(/broken\.yaml is not valid YAML or JSON/)]);
    const missing = await tokenhub(['workflows', 'apply', join(folder, 'absent.yaml'), ...tenant]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/cannot read .*absent\.yaml/)]);
    const version = await tokenhub(['workflows', 'activate', 'returns', 'zero', ...tenant]);
    expect([version.code, version.stderr]).toEqual([1, expect.stringMatching(/must be a version number/)]);
    const noTenant = await tokenhub(['workflows', 'list']);
    expect([noTenant.code, noTenant.stderr]).toEqual([1, expect.stringMatching(/--tenant <id>/)]);
  });
});

describe('tokenhub workflows run, runs and run-get with a tenant key', () => {
  const tenantArgs = (): string[] => ['--url', setup.hub.url, '--api-key', setup.key];
  const script = (steps: Json[]): void => setup.hub.hub.scripted('script').setScript(steps);

  beforeAll(async () => {
    const greet = {
      apiVersion: 'tokenhub.dev/v1',
      kind: 'Workflow',
      metadata: { name: 'greet' },
      spec: {
        inputs: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        steps: [
          { id: 'hello', kind: 'llm', model: 'scripted', prompt: `Greet \${{ input.name }}` },
          { id: 'shout', kind: 'llm', model: 'scripted', prompt: `Shout \${{ steps.hello.output.text }}` },
        ],
        output: { greeting: `\${{ steps.shout.output.text }}` },
      },
    };
    const approve = {
      apiVersion: 'tokenhub.dev/v1',
      kind: 'Workflow',
      metadata: { name: 'approve-it' },
      spec: { steps: [{ id: 'check', kind: 'human', title: `Approve \${{ input.what }}?` }] },
    };
    for (const document of [greet, approve]) {
      const applied = await call(setup.hub, 'POST', '/v1/workflows', setup.key, document);
      expect([200, 201], JSON.stringify(applied.body)).toContain(applied.status);
    }
  });

  it('runs a workflow and prints its status, usage, output and steps; --json prints the run', { timeout: 240_000 }, async () => {
    script([
      { when: { last_user_message_contains: 'Greet ann' }, text: 'hello ann' },
      { when: { last_user_message_contains: 'Shout hello ann' }, text: 'HELLO ANN' },
    ]);
    const printed = (await ok(['workflows', 'run', 'greet', '--input', '{"name":"ann"}'], tenantArgs())).split('\n');
    expect(printed[0]).toMatch(/^run run_\w+: workflow greet version 1, completed$/);
    expect(printed[1]).toMatch(/^usage: 2 model calls, \d+ input \+ \d+ output tokens, \$\d/);
    expect(printed[2]).toBe('output: {"greeting":"HELLO ANN"}');
    expect(printed[4]).toMatch(/^key\s+kind\s+status\s+attempt\s+cost_usd\s+duration_ms\s+error$/);
    expect(printed.slice(5, 7).map((line) => line.split(/\s+/).slice(0, 4))).toEqual([
      ['hello', 'llm', 'completed', '1'],
      ['shout', 'llm', 'completed', '1'],
    ]);

    // The key and the URL from the environment; --json is the run as the API gives it.
    script([{ text: 'hi', repeat: true }]);
    const json = JSON.parse(
      await ok(['workflows', 'run', 'greet', '--input', '{"name":"bob"}', '--json'], [], {
        TOKENHUB_URL: setup.hub.url,
        TOKENHUB_API_KEY: setup.key,
      }),
    ) as Json;
    expect(json).toMatchObject({
      object: 'workflow.run',
      workflow: 'greet',
      status: 'completed',
      output: { greeting: 'hi' },
      input: { name: 'bob' },
    });
    const read = await call(setup.hub, 'GET', `/v1/workflow-runs/${String(json.id)}`, setup.key);
    expect(read.body).toEqual(json);
  });

  it('starts a run in the background, reads it back with run-get, and lists runs by workflow and status', {
    timeout: 240_000,
  }, async () => {
    script([{ text: 'later', repeat: true }]);
    const started = JSON.parse(
      await ok(['workflows', 'run', 'greet', '--input', '{"name":"cy"}', '--mode', 'background', '--json'], tenantArgs()),
    ) as Json;
    expect(['queued', 'running', 'completed']).toContain(started.status);
    const id = String(started.id);
    for (let tries = 0; ; tries++) {
      const read = await call(setup.hub, 'GET', `/v1/workflow-runs/${id}`, setup.key);
      if (read.body.status === 'completed') break;
      if (tries > 150) throw new Error(`run ${id} stayed ${String(read.body.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const shown = await ok(['workflows', 'run-get', id], tenantArgs());
    expect(shown.split('\n').slice(0, 3)).toEqual([
      `run ${id}: workflow greet version 1, completed`,
      expect.stringMatching(/^usage: 2 model calls,/),
      'output: {"greeting":"later"}',
    ]);

    const listed = (await ok(['workflows', 'runs', '--workflow', 'greet', '--limit', '1'], tenantArgs())).trimEnd().split('\n');
    expect(listed[0]).toMatch(/^id\s+workflow\s+version\s+status\s+steps\s+cost_usd\s+created_at\s+error$/);
    expect(listed[1]?.split(/\s+/).slice(0, 5)).toEqual([id, 'greet', '1', 'completed', '2']);
    expect(listed[2]).toBe(`more: --cursor ${id}`);
    const page = JSON.parse(await ok(['workflows', 'runs', '--status', 'completed', '--json'], tenantArgs())) as { data: Json[] };
    expect(page.data.length).toBeGreaterThanOrEqual(3);
    expect(new Set(page.data.map((run) => run.status))).toEqual(new Set(['completed']));
  });

  it("shows what a run waits on; exits 1 for a failed run and with the hub's message for a refused call", {
    timeout: 240_000,
  }, async () => {
    const waiting = (await ok(['workflows', 'run', 'approve-it', '--input', '{"what":"the refund"}'], tenantArgs())).split('\n');
    expect(waiting[0]).toMatch(/, waiting_approval$/);
    expect(waiting).toContain('waiting on: check (approval) "Approve the refund?"');

    script([]);
    const failed = await tokenhub(['workflows', 'run', 'greet', '--input', '{"name":"dee"}'], tenantArgs());
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^run run_\w+: workflow greet version 1, failed$/m);
    expect(failed.stdout).toMatch(/^hello\s+llm\s+failed\s+1\s.*script is exhausted/m);
    expect(failed.stderr).toMatch(/tokenhub: run run_\w+ ended failed: .*script is exhausted/);

    const missing = await tokenhub(['workflows', 'run', 'nope'], tenantArgs());
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/POST \/v1\/workflows\/nope\/runs → 404: .*nope/)]);
    const badInput = await tokenhub(['workflows', 'run', 'greet', '--input', '{"name":42}'], tenantArgs());
    expect([badInput.code, badInput.stderr]).toEqual([1, expect.stringMatching(/→ 400: /)]);
    const badStatus = await tokenhub(['workflows', 'runs', '--status', 'sleeping'], tenantArgs());
    expect([badStatus.code, badStatus.stderr]).toEqual([1, expect.stringMatching(/→ 400: .*must be one or more of queued/)]);
    const notJson = await tokenhub(['workflows', 'run', 'greet', '--input', '{name'], tenantArgs());
    expect([notJson.code, notJson.stderr]).toEqual([1, expect.stringMatching(/--input.*must be JSON/)]);
    const noKey = await tokenhub(['workflows', 'runs'], ['--url', setup.hub.url]);
    expect([noKey.code, noKey.stderr]).toEqual([1, expect.stringMatching(/a tenant API key is required: --api-key or TOKENHUB_API_KEY/)]);
    const adminKey = await tokenhub(['workflows', 'runs'], ['--url', setup.hub.url, '--api-key', setup.hub.adminKey]);
    expect([adminKey.code, adminKey.stderr]).toEqual([1, expect.stringMatching(/→ 40[13]: /)]);
  });
});

describe('tokenhub workflows test', () => {
  const fixtures = join(import.meta.dirname, '__fixtures__', 'workflow-tests');

  it('prints the report and exits 1 when a case fails (--json: the report), 2 for an unusable script file', {
    timeout: 240_000,
  }, async () => {
    const ran = await tokenhub(
      ['workflows', 'test', join(fixtures, 'refunds.yaml'), '--script', join(fixtures, 'refunds.tests.yaml'), '--json'],
      [],
    );
    expect(ran.code, ran.stderr).toBe(1);
    const report = JSON.parse(ran.stdout) as {
      passed: number;
      failed: number;
      cases: { name: string; passed: boolean; differences: Json[] }[];
    };
    expect(report).toMatchObject({ workflow: 'refunds', passed: 1, failed: 1 });
    expect(report.cases.map((result) => [result.name, result.passed])).toEqual([
      ['refund path', true],
      ['question taken for a refund', false],
    ]);
    expect(report.cases[1]?.differences[0]).toEqual({ path: 'output.intent', expected: '"refund"', got: '"question"' });

    await writeFile(join(folder, 'bad.tests.yaml'), 'models: []\ncases: []\n');
    const bad = await tokenhub(['workflows', 'test', join(fixtures, 'refunds.yaml'), '--script', join(folder, 'bad.tests.yaml')], []);
    expect([bad.code, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toMatch(/^tokenhub: .*bad\.tests\.yaml: models: Too small/);
    const noScript = await tokenhub(['workflows', 'test', join(fixtures, 'refunds.yaml')], []);
    expect([noScript.code, noScript.stderr]).toEqual([1, expect.stringMatching(/--script <file>/)]);
  });
});
