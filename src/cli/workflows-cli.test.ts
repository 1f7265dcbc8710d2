/**
 * `tokenhub workflows` against a running hub, through the real CLI in a child process: apply a YAML file
 * (created, then unchanged), apply a changed JSON file (updated), list, get, versions, activate an old
 * version, delete; and the hub's own error, naming step and field, for a bad document.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { call, startWorkflowHub, type WorkflowHub } from '../../test/support/workflows.js';

const CLI = join(import.meta.dirname, 'index.ts');

let setup: WorkflowHub;
let folder: string;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tokenhub(args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '--url', setup.hub.url, '--admin-key', setup.hub.adminKey], {
      env: { ...process.env, TOKENHUB_ADMIN_KEY: '', TOKENHUB_API_KEY: '' },
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

async function ok(args: string[]): Promise<string> {
  const ran = await tokenhub(args);
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
