/**
 * The README's quick start, followed the way a newcomer would on a fresh clone: `npm ci` (which builds),
 * the example config copied to ./tokenhub.yaml and pointed at an upstream, `npm start`, the admin key
 * from the ready block, a tenant and a key made with the CLI, one request with the `openai` client.
 * Skipped, saying so, when the npm registry cannot be reached.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { freePort } from '../support/hub-process.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

let upstream: FakeOpenAI | undefined;
let hub: ChildProcess | undefined;
let copy: string | undefined;

afterAll(async () => {
  if (hub?.pid && hub.exitCode === null) process.kill(-hub.pid, 'SIGKILL');
  await upstream?.close();
  if (copy) await rm(copy, { recursive: true, force: true });
});

/** The environment of someone who has set nothing of TokenHub's. */
function newcomerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('TOKENHUB_') && !name.startsWith('npm_')) env[name] = value;
  return { ...env, ...extra };
}

async function registryProblem(): Promise<string | undefined> {
  const registry =
    (await run('npm', ['config', 'get', 'registry']).catch(() => ({ stdout: '' }))).stdout.trim() || 'https://registry.npmjs.org/';
  try {
    await fetch(registry, { signal: AbortSignal.timeout(5_000) });
    return undefined;
  } catch (error) {
    return `the npm registry ${registry} cannot be reached (${(error as Error).message}): skipping the newcomer test`;
  }
}

/** Tracked files and untracked ones git does not ignore: what a clone of the working tree would hold. */
async function copyRepository(): Promise<string> {
  const target = await mkdtemp(join(tmpdir(), 'tokenhub-newcomer-'));
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  for (const path of new Set(stdout.split('\0').filter(Boolean))) {
    const source = join(ROOT, path);
    const info = await stat(source).catch(() => undefined);
    if (!info?.isFile()) continue; // deleted in the working tree, or a submodule
    await mkdir(dirname(join(target, path)), { recursive: true });
    await copyFile(source, join(target, path));
  }
  return target;
}

function waitForReady(child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no ready line in ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = (): void => {
      if (output().includes('TokenHub is ready at')) {
        clearTimeout(deadline);
        resolve();
      }
    };
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`npm start exited with ${code}:\n${output()}`));
    });
  });
}

describe('a newcomer following the README', () => {
  it('npm ci, npm start with the example config, a tenant and a key from the CLI, one request with the openai client', {
    timeout: 600_000,
  }, async (context) => {
    const problem = await registryProblem();
    if (problem) {
      console.warn(problem);
      context.skip(problem);
    }
    copy = await copyRepository();
    const where = copy;

    const install = await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: where,
      env: newcomerEnv(),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 420_000,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      // The build (`prepare`) reports on stdout: show it, not just npm's "command failed".
      throw new Error(`npm ci failed in a fresh copy:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`);
    });
    // A Node 20 install is clean: no package of the tree refuses this engine.
    expect.soft(`${install.stdout}\n${install.stderr}`.match(/EBADENGINE.*package: .*/g) ?? []).toEqual([]);

    // README: cp examples/tokenhub.yaml tokenhub.yaml, then point its providers at your upstreams.
    upstream = await startFakeOpenAI({ reply: 'Hello, newcomer!' });
    const example = parse(await readFile(join(where, 'examples/tokenhub.yaml'), 'utf8')) as {
      providers: { type: string; base_url?: string }[];
    };
    for (const provider of example.providers) if (provider.type === 'openai') provider.base_url = upstream.url;
    await writeFile(join(where, 'tokenhub.yaml'), stringify(example));

    const port = await freePort();
    let output = '';
    hub = spawn('npm', ['start'], {
      cwd: where,
      env: newcomerEnv({ TOKENHUB_PORT: String(port) }),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    hub.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    hub.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForReady(hub, () => output, 120_000);
    const url = `http://127.0.0.1:${port}`;
    expect(output).toContain(`TokenHub is ready at ${url}`);
    expect(output).toContain(`config:    ${join(where, 'tokenhub.yaml')}`);
    expect(output).toContain(`data dir:  ${join(where, '.tokenhub')}`);
    const adminKey = /admin key: (thadm_\S+)/.exec(output)?.[1];
    expect(adminKey, output).toBeTruthy();

    // README: the console is at /console, built by npm ci.
    expect(output).toContain(`console:   ${url}/console`);
    const consolePage = await fetch(`${url}/console/`);
    expect(consolePage.status).toBe(200);
    const consoleHtml = await consolePage.text();
    const entry = /src="(\/console\/assets\/[^"]+\.js)"/.exec(consoleHtml)?.[1];
    expect(entry, consoleHtml).toBeTruthy();
    expect((await fetch(`${url}${entry}`)).status).toBe(200);

    // README: alias tokenhub="node $PWD/dist/cli/index.js"; export TOKENHUB_ADMIN_KEY=…
    const cli = async (...args: string[]): Promise<string> =>
      (
        await run(process.execPath, [join(where, 'dist/cli/index.js'), ...args], {
          cwd: where,
          env: newcomerEnv({ TOKENHUB_ADMIN_KEY: adminKey ?? '', TOKENHUB_URL: url }),
        })
      ).stdout;
    const tenant = JSON.parse(await cli('tenants', 'create', 'acme', '--json')) as { id: string };
    const created = await cli('keys', 'create', '--tenant', tenant.id, '--budget-usd', '25', '--budget-period', 'month', '--rpm', '600');
    const key = /^key \(shown once\): (thk_\S+)$/m.exec(created)?.[1];
    expect(key, created).toBeTruthy();

    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: key ?? '', maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: 'qwen-plus', messages: [{ role: 'user', content: 'Hello' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello, newcomer!');
    expect(upstream.requests.at(-1)?.path).toMatch(/\/chat\/completions$/);
    expect(await cli('keys', 'list', '--tenant', tenant.id)).toMatch(/rpm 600\s+key 24\.\d+\/25\.00 month/);

    const exited = new Promise((resolve) => hub?.once('exit', resolve));
    if (hub.pid) process.kill(-hub.pid, 'SIGTERM');
    await exited;
    // npm may exit before the hub it started has finished its graceful shutdown: give the hub a moment.
    const lock = join(where, '.tokenhub', 'tokenhub.lock');
    const deadline = Date.now() + 15_000;
    while (
      Date.now() < deadline &&
      (await stat(lock).then(
        () => true,
        () => false,
      ))
    )
      await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(stat(lock)).rejects.toThrow();
  });
});
