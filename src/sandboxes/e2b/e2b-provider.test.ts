import { spawnSync } from 'node:child_process';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeE2B, startFakeE2B } from '../../../test/fake-upstreams/e2b.js';
import { HubError } from '../../core/index.js';
import type { CodeLanguage, SandboxLimits } from '../limits.js';
import type { CodeResult, FileSource, ProviderSandbox } from '../provider.js';
import { E2BSandboxProvider } from './e2b-provider.js';

const hasPython = spawnSync('python3', ['--version']).status === 0;
const LIMITS: SandboxLimits = { cpu_ms: 5_000, memory_mb: 128, output_bytes: 64 * 1024, storage_bytes: 32 * 1024 * 1024, max_files: 1_000 };
const decode = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));

/** The hub's side of a sandbox: its files with versions, applied from each call's result as the service does. */
class Hub {
  readonly files = new Map<string, { version: string; data: Uint8Array }>();
  /** The paths each call loaded, to tell what went up to E2B. */
  readonly loads: string[][] = [];
  private version = 0;
  readonly sandbox: ProviderSandbox;

  constructor(sandbox: Partial<ProviderSandbox> = {}) {
    this.sandbox = {
      id: 'sbx_1',
      tenantId: 'tenant_1',
      remoteId: null,
      template: 'code',
      limits: LIMITS,
      network: false,
      timeoutS: 300,
      calls: 0,
      ...sandbox,
    };
  }

  put(path: string, text: string): void {
    this.files.set(path, { version: `v${++this.version}`, data: new TextEncoder().encode(text) });
  }

  text(path: string): string | undefined {
    return decode(this.files.get(path)?.data);
  }

  source(): FileSource {
    return {
      manifest: Object.fromEntries([...this.files].map(([path, file]) => [path, file.version])),
      load: async (paths) => {
        this.loads.push([...paths]);
        return Object.fromEntries(paths.map((path) => [path, this.files.get(path)?.data ?? new Uint8Array()]));
      },
    };
  }

  async call(provider: E2BSandboxProvider, language: CodeLanguage, code: string): Promise<CodeResult> {
    const result = await provider.run(
      this.sandbox,
      { language, code },
      { files: this.source(), fetch: async () => Promise.reject(new Error('no network')) },
    );
    const versions: Record<string, string> = {};
    for (const [path, data] of Object.entries(result.changed)) {
      this.files.set(path, { version: `v${++this.version}`, data });
      versions[path] = `v${this.version}`;
    }
    for (const path of result.removed) this.files.delete(path);
    provider.acknowledge(this.sandbox.id, versions);
    if (result.remoteId) this.sandbox.remoteId = result.remoteId;
    this.sandbox.calls++;
    return result;
  }
}

describe('E2BSandboxProvider against a fake E2B, through the e2b SDK', () => {
  let fake: FakeE2B;
  let provider: E2BSandboxProvider;
  const makeProvider = (apiKey = fake.apiKey) =>
    new E2BSandboxProvider({ apiKey, template: 'tokenhub-code', apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl });
  const creates = () =>
    fake.requests.filter((request) => request.server === 'api' && request.method === 'POST' && request.path === '/v2/sandboxes');
  const uploads = () =>
    fake.requests.filter((request) => request.method === 'POST' && request.path === '/files').map((request) => request.query.path);

  beforeEach(async () => {
    fake = await startFakeE2B();
    provider = makeProvider();
  });
  afterEach(async () => {
    await provider.close();
    await fake.close();
  });

  it('makes a sandbox from the template on the first call, with the API key, the timeout and no internet, and keeps it', async () => {
    const hub = new Hub();
    const first = await hub.call(provider, 'javascript', 'console.log(6 * 7); console.error("note")');
    expect(first).toMatchObject({ stdout: '42\n', stderr: 'note\n', error: null, result: null, outputTruncated: false, stateReset: false });
    expect(first.remoteId).toMatch(/^i/);
    expect(first.cpuMs).toBeGreaterThan(0);
    expect(creates()).toHaveLength(1);
    const [create] = creates();
    expect(create?.headers['x-api-key']).toBe(fake.apiKey);
    expect(create?.body).toMatchObject({
      templateID: 'tokenhub-code',
      timeout: 300,
      allow_internet_access: false,
      metadata: { tokenhub_sandbox: 'sbx_1' },
    });
    expect(provider.holds('sbx_1')).toBe(true);

    const second = await hub.call(provider, 'javascript', 'console.log(process.cwd().endsWith("/home/user/sandbox"))');
    expect(second).toMatchObject({ stdout: 'true\n', error: null, stateReset: false });
    expect(second.remoteId).toBeUndefined();
    expect(creates()).toHaveLength(1);
    // Each call restarts E2B's clock, as the hub's idle timeout restarts.
    const timeouts = fake.requests.filter((request) => request.path === `/sandboxes/${first.remoteId}/timeout`);
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]?.body).toEqual({ timeout: 300 });
  });

  it('asks E2B for internet access only for a sandbox granted the network', async () => {
    await new Hub({ network: true }).call(provider, 'javascript', '1');
    expect(creates()[0]?.body).toMatchObject({ allow_internet_access: true });
  });

  it.skipIf(!hasPython)('carries files between calls: sends what the remote lacks, reports what the code wrote and removed', async () => {
    const hub = new Hub();
    hub.put('input.txt', 'hello');
    hub.put('keep/notes.md', '# notes');
    const first = await hub.call(
      provider,
      'python',
      [
        'import os',
        "os.makedirs('out', exist_ok=True)",
        "open('out/upper.txt', 'w').write(open('input.txt').read().upper())",
        "print(sorted(os.listdir('.')))",
      ].join('\n'),
    );
    expect(first.error).toBeNull();
    expect(first.stdout).toBe("['input.txt', 'keep', 'out']\n");
    expect(Object.keys(first.changed)).toEqual(['out/upper.txt']);
    expect(hub.text('out/upper.txt')).toBe('HELLO');
    expect(first.removed).toEqual([]);
    expect(hub.loads).toEqual([['input.txt', 'keep/notes.md']]);

    const second = await hub.call(
      provider,
      'javascript',
      "const fs = require('node:fs'); fs.unlinkSync('input.txt'); fs.appendFileSync('out/upper.txt', '!'); console.log(fs.readFileSync('keep/notes.md', 'utf8'))",
    );
    expect(second.error).toBeNull();
    expect(second.stdout).toBe('# notes\n');
    expect(second.removed).toEqual(['input.txt']);
    expect(Object.keys(second.changed)).toEqual(['out/upper.txt']);
    expect(hub.text('out/upper.txt')).toBe('HELLO!');
    // Nothing went up again: the remote held every file at the hub's version, its own writes included.
    expect(hub.loads[1]).toEqual([]);

    // The hub is the authority: a file it dropped goes, a file it changed comes anew, and neither is reported back.
    hub.files.delete('keep/notes.md');
    hub.put('out/upper.txt', 'from the hub');
    const third = await hub.call(
      provider,
      'javascript',
      "const fs = require('node:fs'); console.log(fs.existsSync('keep/notes.md'), fs.readFileSync('out/upper.txt', 'utf8'))",
    );
    expect(third.stdout).toBe('false from the hub\n');
    expect(hub.loads[2]).toEqual(['out/upper.txt']);
    expect(third.changed).toEqual({});
    expect(third.removed).toEqual([]);
  });

  it.skipIf(!hasPython)('imports the sandbox own Python modules, and leaves no bytecode caches among its files', async () => {
    const hub = new Hub();
    hub.put('helpers.py', 'def double(x):\n    return 2 * x\n');
    const result = await hub.call(provider, 'python', 'import helpers\nprint(helpers.double(21))');
    expect(result).toMatchObject({ stdout: '42\n', error: null, skipped: [] });
    expect(result.changed).toEqual({});
  });

  it('does not keep symbolic links, and removes them before the next call', async () => {
    const hub = new Hub();
    const result = await hub.call(
      provider,
      'javascript',
      "require('node:fs').symlinkSync('/etc/passwd', 'passwd'); require('node:fs').writeFileSync('real.txt', 'x')",
    );
    expect(result.skipped).toEqual([{ path: 'passwd', reason: 'symbolic links are not kept' }]);
    expect(Object.keys(result.changed)).toEqual(['real.txt']);
    const next = await hub.call(provider, 'javascript', "console.log(require('node:fs').readdirSync('.').join(','))");
    expect(next.stdout).toBe('real.txt\n');
    expect(next.skipped).toEqual([]);
  });

  it('reconnects by the remote id after a restart of the hub, and removes what the hub no longer has', async () => {
    const hub = new Hub();
    hub.put('data.txt', 'kept');
    const first = await hub.call(provider, 'javascript', "require('node:fs').writeFileSync('made.txt', 'by the code')");
    const remoteId = first.remoteId ?? '';
    // A file the hub never took (say it crashed before storing the call's result).
    await writeFile(fake.hostPath(remoteId, '/home/user/sandbox/orphan.txt'), 'lost');

    const restarted = makeProvider();
    try {
      expect(restarted.holds('sbx_1')).toBe(false);
      const next = await hub.call(restarted, 'javascript', "console.log(require('node:fs').readdirSync('.').sort().join(','))");
      expect(next).toMatchObject({ stdout: 'data.txt,made.txt\n', error: null, stateReset: false });
      expect(next.remoteId).toBeUndefined();
      expect(creates()).toHaveLength(1);
      expect(fake.requests.some((request) => request.path === `/v2/sandboxes/${remoteId}/connect`)).toBe(true);
      expect(next.removed).toEqual([]);
    } finally {
      await restarted.close();
    }
  });

  it('makes a new sandbox when the remote one is gone, with the hub files and stateReset', async () => {
    const hub = new Hub();
    hub.put('data.txt', 'survives');
    const first = await hub.call(provider, 'javascript', "require('node:fs').writeFileSync('made.txt', 'too')");
    await fake.expire(first.remoteId ?? '');

    const again = await hub.call(provider, 'javascript', "console.log(require('node:fs').readdirSync('.').sort().join(','))");
    expect(again).toMatchObject({ stdout: 'data.txt,made.txt\n', error: null, stateReset: true });
    expect(again.remoteId).toMatch(/^i/);
    expect(again.remoteId).not.toBe(first.remoteId);
    expect(creates()).toHaveLength(2);

    // The same from a hub that held no connection: connect answers 404, so a sandbox is made.
    await fake.expire(again.remoteId ?? '');
    const restarted = makeProvider();
    try {
      const third = await hub.call(restarted, 'javascript', "console.log(require('node:fs').readFileSync('data.txt', 'utf8'))");
      expect(third).toMatchObject({ stdout: 'survives\n', stateReset: true });
      expect(creates()).toHaveLength(3);
    } finally {
      await restarted.close();
    }
  });

  it('cuts stdout and stderr at output_bytes each', async () => {
    const hub = new Hub({ limits: { ...LIMITS, output_bytes: 1_024 } });
    const result = await hub.call(provider, 'javascript', "process.stdout.write('é'.repeat(3_000)); process.stderr.write('short')");
    expect(result.outputTruncated).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBe(1_024);
    expect(result.stdout).toBe('é'.repeat(512));
    expect(result.stderr).toBe('short');
    expect(result.error).toBeNull();
  });

  it.skipIf(!hasPython)("turns a non-zero exit into an ExitError named by stderr's last line, or by the exit code", async () => {
    const hub = new Hub();
    const raised = await hub.call(provider, 'python', "print('before')\nraise ValueError('bad input')");
    expect(raised.stdout).toBe('before\n');
    expect(raised.stderr).toContain('Traceback');
    expect(raised.error).toEqual({ name: 'ExitError', message: 'ValueError: bad input' });

    const exited = await hub.call(provider, 'javascript', "require('node:fs').writeFileSync('partial.txt', 'written'); process.exit(3)");
    expect(exited.error).toEqual({ name: 'ExitError', message: 'exit code 3' });
    expect(decode(exited.changed['partial.txt'])).toBe('written');
  });

  it('kills code at the time limit, keeps what it wrote, and runs the next call', async () => {
    // E2B's limit is wall time, which includes starting node: a loaded machine must still get to the loop.
    const hub = new Hub({ limits: { ...LIMITS, cpu_ms: 4_000 } });
    const result = await hub.call(
      provider,
      'javascript',
      "require('node:fs').writeFileSync('started.txt', 'yes'); console.log('looping'); for (;;) {}",
    );
    expect(result.error).toMatchObject({ name: 'TimeLimitExceeded', code: 'time_limit_exceeded' });
    expect(result.stdout).toBe('looping\n');
    expect(result.cpuMs).toBeGreaterThanOrEqual(4_000);
    expect(decode(result.changed['started.txt'])).toBe('yes');
    const remote = fake.sandboxes.get(hub.sandbox.remoteId ?? '');
    expect(remote?.signalled).toHaveLength(1);
    expect(remote?.processes.size).toBe(0);

    const next = await hub.call(provider, 'javascript', 'console.log("next")');
    expect(next).toMatchObject({ stdout: 'next\n', error: null });
  });

  it('keeps none of a call files past the storage limits, and starts the next call from the hub files', async () => {
    const hub = new Hub({ limits: { ...LIMITS, storage_bytes: 1_024, max_files: 3 } });
    hub.put('kept.txt', 'the hub copy');
    const big = await hub.call(
      provider,
      'javascript',
      "const fs = require('node:fs'); fs.writeFileSync('kept.txt', 'changed'); fs.writeFileSync('big.bin', 'x'.repeat(2_000))",
    );
    expect(big.error).toMatchObject({
      name: 'StorageQuotaExceeded',
      code: 'storage_quota_exceeded',
      message: expect.stringContaining('1024 bytes'),
    });
    expect(big.changed).toEqual({});
    expect(big.removed).toEqual([]);
    const many = await hub.call(
      provider,
      'javascript',
      "const fs = require('node:fs'); console.log(fs.readdirSync('.').join(','), fs.readFileSync('kept.txt', 'utf8')); fs.unlinkSync('kept.txt'); for (const n of [1, 2, 3, 4]) fs.writeFileSync(n + '.txt', '')",
    );
    expect(many.stdout).toBe('kept.txt the hub copy\n');
    expect(many.error).toMatchObject({ code: 'storage_quota_exceeded', message: expect.stringContaining('3 files') });
    expect(many.removed).toEqual([]);
    expect(hub.text('kept.txt')).toBe('the hub copy');
    const next = await hub.call(provider, 'javascript', "console.log(require('node:fs').readdirSync('.').join(','))");
    expect(next.stdout).toBe('kept.txt\n');
  });

  it('release kills the remote sandbox, and one already gone is released too', async () => {
    const hub = new Hub();
    await hub.call(provider, 'javascript', '1');
    const remoteId = hub.sandbox.remoteId ?? '';
    await provider.release(hub.sandbox);
    expect(provider.holds('sbx_1')).toBe(false);
    expect(fake.sandboxes.get(remoteId)?.killed).toBe(true);
    const kill = fake.requests.find((request) => request.method === 'DELETE' && request.path === `/sandboxes/${remoteId}`);
    expect(kill?.headers['x-api-key']).toBe(fake.apiKey);
    await expect(provider.release(hub.sandbox)).resolves.toBeUndefined();
  });

  it('close forgets the connections without killing the remote sandboxes', async () => {
    const hub = new Hub();
    await hub.call(provider, 'javascript', '1');
    await provider.close();
    expect(provider.holds('sbx_1')).toBe(false);
    expect(fake.sandboxes.get(hub.sandbox.remoteId ?? '')?.killed).toBe(false);
    await expect(hub.call(provider, 'javascript', '1')).rejects.toThrow(/closed/);
  });

  it('a refused API key is an upstream error, and no sandbox is made', async () => {
    const refused = makeProvider('e2b_wrong');
    const error = await new Hub().call(refused, 'javascript', '1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect((error as HubError).message).toMatch(/API key/);
    expect(creates()[0]?.headers['x-api-key']).toBe('e2b_wrong');
    expect(fake.sandboxes.size).toBe(0);
  });

  it('sends the code as a file outside the sandbox folder', async () => {
    const hub = new Hub();
    await hub.call(provider, 'javascript', 'console.log("code")');
    expect(uploads()).toEqual(['/home/user/.tokenhub/main.js']);
    expect(await readFile(fake.hostPath(hub.sandbox.remoteId ?? '', '/home/user/.tokenhub/main.js'), 'utf8')).toBe('console.log("code")');
  });

  it('leaves out of its report a symbolic link planted in the folder between calls', async () => {
    const hub = new Hub();
    await hub.call(provider, 'javascript', '1');
    await symlink('/etc', fake.hostPath(hub.sandbox.remoteId ?? '', '/home/user/sandbox/etc'));
    const result = await hub.call(provider, 'javascript', '1');
    expect(result.changed).toEqual({});
    expect(result.skipped).toEqual([{ path: 'etc', reason: 'symbolic links are not kept' }]);
  });
});
