/**
 * A sandbox's limits hold against code that tries to pass them: output cut at `output_bytes`, loops stopped
 * at `cpu_ms` (JavaScript keeping its variables, Python killed with its files intact), memory bombs stopped
 * at `memory_mb`, files refused past `storage_bytes` and `max_files` whole, and all of it with 20 sandboxes
 * looping at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHub, startSandboxHub } from './sandbox-hub.js';

interface CodeResult {
  stdout: string;
  stderr: string;
  output_truncated: boolean;
  result: unknown;
  error: { name: string; message: string; code?: string } | null;
  cpu_ms: number;
  state_reset: boolean;
  files: { changed: string[]; removed: string[] };
}
interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}
type Limits = Partial<Record<'cpu_ms' | 'memory_mb' | 'output_bytes' | 'storage_bytes' | 'max_files', number>>;

const CONCURRENT = 20;
/** The reservation covers the CPU limit and one second past it: no call is billed beyond that. */
const RESERVED_GRACE_MS = 1_000;

let box: SandboxHub;

beforeAll(async () => {
  box = await startSandboxHub({ sandboxes: { max_live_per_tenant: CONCURRENT + 5 } });
});
afterAll(async () => {
  await box?.close();
});
// Each test starts with no live sandbox (and no interpreter process) of the tenant.
afterEach(async () => {
  const live = await box.call<{ data: { id: string }[] }>('GET', '/v1/sandboxes?status=live&limit=100');
  for (const { id } of live.body.data) await box.call('DELETE', `/v1/sandboxes/${id}`);
});

async function sandbox(limits: Limits = {}): Promise<string> {
  const created = await box.call<{ id: string }>('POST', '/v1/sandboxes', { limits });
  expect(created.status).toBe(201);
  return created.body.id;
}

async function run(id: string, language: 'javascript' | 'python', code: string): Promise<CodeResult> {
  const answer = await box.call<CodeResult>('POST', `/v1/sandboxes/${id}/code`, { language, code });
  expect(answer.status).toBe(200);
  return answer.body;
}

async function put(id: string, path: string, body: string): Promise<{ status: number; body: ErrorBody }> {
  const response = await fetch(`${box.hub.url}/v1/sandboxes/${id}/files/${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${box.key}`, 'content-type': 'application/octet-stream' },
    body,
  });
  return { status: response.status, body: (await response.json()) as ErrorBody };
}

async function fileText(id: string, path: string): Promise<string | number> {
  const response = await fetch(`${box.hub.url}/v1/sandboxes/${id}/files/${path}`, { headers: { authorization: `Bearer ${box.key}` } });
  return response.ok ? response.text() : response.status;
}

async function paths(id: string): Promise<string[]> {
  const listing = await box.call<{ data: { path: string }[] }>('GET', `/v1/sandboxes/${id}/files`);
  return listing.body.data.map((file) => file.path);
}

/** The sandbox interpreter processes this test process started (their command line runs the child as `-e`). */
function sandboxChildren(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (
          state !== 'Z' &&
          Number(parent) === process.pid &&
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--experimental-permission')
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('output', () => {
  it('cuts stdout and stderr at limits.output_bytes, says so, and cuts the result too', async () => {
    const id = await sandbox({ output_bytes: 2048 });
    const js = await run(
      id,
      'javascript',
      `for (let i = 0; i < 5000; i++) { console.log('x'.repeat(100)); console.error('e'.repeat(100)); }
       'z'.repeat(100000)`,
    );
    expect(js.error).toBeNull();
    expect(js.output_truncated).toBe(true);
    expect(Buffer.byteLength(js.stdout)).toBe(2048);
    expect(js.stdout).toMatch(/^x+\nx/);
    expect(Buffer.byteLength(js.stderr)).toBe(2048);
    expect(Buffer.byteLength(JSON.stringify(js.result))).toBeLessThanOrEqual(2048);

    const python = await run(id, 'python', `print('y' * 10_000_000)`);
    expect(python.output_truncated).toBe(true);
    expect(python.stdout).toBe('y'.repeat(2048));
  }, 60_000);

  it('never passes limits.output_bytes when the cut falls inside a multi-byte character', async () => {
    const id = await sandbox({ output_bytes: 2048 });
    // 1 + 2 × 1023 bytes fit; the cut falls in the middle of the next two-byte "é".
    const cut = await run(id, 'javascript', `console.log('x' + 'é'.repeat(5000))`);
    expect(cut.output_truncated).toBe(true);
    expect(Buffer.byteLength(cut.stdout)).toBeLessThanOrEqual(2048);
    expect(cut.stdout).not.toContain('\ufffd');
  });
});

describe('infinite loops', () => {
  it('JavaScript is stopped at the CPU limit with cpu_limit_exceeded, billed within its reservation, and keeps its variables', async () => {
    const id = await sandbox({ cpu_ms: 300 });
    expect((await run(id, 'javascript', 'var kept = 41; kept')).result).toBe(41);
    const loop = await run(id, 'javascript', 'while (true) {}');
    expect(loop.error?.code).toBe('cpu_limit_exceeded');
    expect(loop.state_reset).toBe(false);
    expect(loop.cpu_ms).toBeGreaterThanOrEqual(300);
    expect(loop.cpu_ms).toBeLessThanOrEqual(300 + RESERVED_GRACE_MS);
    const after = await run(id, 'javascript', 'kept + 1');
    expect(after).toMatchObject({ result: 42, error: null, state_reset: false });
  });

  it("Python is killed at the CPU limit: state_reset, the interpreter's state gone, the files as they were before the call", async () => {
    const id = await sandbox({ cpu_ms: 500 });
    expect((await put(id, 'keep.txt', 'kept')).status).toBe(201);
    expect((await run(id, 'python', 'x = 1\nx')).result).toBe(1);
    const loop = await run(id, 'python', `open('partial.txt', 'w').write('half done')\nwhile True:\n    pass`);
    expect(loop.error?.code).toBe('cpu_limit_exceeded');
    expect(loop.state_reset).toBe(true);
    expect(loop.files.changed).toEqual([]);
    expect(loop.cpu_ms).toBeLessThanOrEqual(500 + RESERVED_GRACE_MS);
    expect(await paths(id)).toEqual(['keep.txt']);
    expect(await fileText(id, 'keep.txt')).toBe('kept');

    const after = await run(id, 'python', `import os\n[open('keep.txt').read(), 'x' in globals(), os.path.exists('partial.txt')]`);
    expect(after.error).toBeNull();
    expect(after.result).toEqual(['kept', false, false]);
    expect(after.state_reset).toBe(true);
  }, 60_000);
});

describe('memory bombs', () => {
  it('JavaScript is stopped at the memory limit with memory_limit_exceeded', async () => {
    const id = await sandbox({ memory_mb: 16, cpu_ms: 10_000 });
    const bomb = await run(id, 'javascript', 'const hoard = []; while (true) hoard.push(new Array(100000).fill(hoard.length));');
    expect(bomb.error?.code).toBe('memory_limit_exceeded');
  }, 60_000);

  it('Python is stopped at the memory limit with memory_limit_exceeded, and its files are intact', async () => {
    const id = await sandbox({ memory_mb: 32, cpu_ms: 20_000 });
    expect((await put(id, 'keep.txt', 'kept')).status).toBe(201);
    const bomb = await run(id, 'python', `hoard = []\nwhile True:\n    hoard.append(b'x' * 1_000_000 + bytes([len(hoard) % 256]))`);
    expect(bomb.error?.code).toBe('memory_limit_exceeded');
    expect(await paths(id)).toEqual(['keep.txt']);
    const after = await run(id, 'python', `open('keep.txt').read()`);
    expect(after).toMatchObject({ result: 'kept', error: null });
  }, 60_000);
});

describe(`${CONCURRENT} sandboxes looping at once`, () => {
  it('stops each at its own CPU limit, keeps each its own variables, and a quick sandbox still answers', async () => {
    const ids = await Promise.all(Array.from({ length: CONCURRENT }, () => sandbox({ cpu_ms: 200 })));
    const quick = await sandbox();
    // Each interpreter started first: the loops below contend for the CPU, not for process start-up.
    await Promise.all(ids.map(async (id, index) => expect((await run(id, 'javascript', `var mine = ${index}; mine`)).result).toBe(index)));
    expect((await run(quick, 'javascript', 'var ready = true; ready')).result).toBe(true);

    const loops = Promise.all(ids.map((id) => run(id, 'javascript', 'while (true) {}')));
    const answer = await run(quick, 'javascript', '6 * 7');
    expect(answer).toMatchObject({ result: 42, error: null });
    const stopped = await loops;
    for (const result of stopped) {
      expect(result.error?.code).toMatch(/_limit_exceeded$/);
      expect(result.cpu_ms).toBeLessThanOrEqual(200 + RESERVED_GRACE_MS);
    }

    const kept = await Promise.all(ids.map((id) => run(id, 'javascript', 'mine')));
    expect(kept.map((result) => result.result)).toEqual(ids.map((_, index) => index));
    expect(box.hub.hub.sandboxes.providers.local?.holds(quick)).toBe(true);
    expect(sandboxChildren()).toHaveLength(CONCURRENT + 1);
    // The limit that stops each loop is its CPU time, however many others share the machine's cores.
    expect(stopped.map((result) => result.error?.code)).toEqual(ids.map(() => 'cpu_limit_exceeded'));

    for (const id of [...ids, quick]) expect((await box.call('DELETE', `/v1/sandboxes/${id}`)).status).toBe(200);
    expect(sandboxChildren()).toEqual([]);
  }, 120_000);
});

describe('storage', () => {
  it('refuses a PUT past limits.storage_bytes or max_files with 413 storage_quota_exceeded, storing nothing', async () => {
    const id = await sandbox({ storage_bytes: 4096, max_files: 3 });
    expect((await put(id, 'a.txt', 'a'.repeat(1000))).status).toBe(201);
    for (const [path, size] of [
      ['big.bin', 5000],
      ['b.txt', 3500],
    ] as const) {
      const refused = await put(id, path, 'x'.repeat(size));
      expect(refused.status).toBe(413);
      expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', code: 'storage_quota_exceeded' });
      expect(await fileText(id, path)).toBe(404);
    }
    expect(await paths(id)).toEqual(['a.txt']);
    expect((await box.call<{ files: unknown }>('GET', `/v1/sandboxes/${id}`)).body.files).toEqual({ count: 1, bytes: 1000 });

    // Replacing a file counts what the sandbox would then hold: the whole quota may be one file.
    expect((await put(id, 'a.txt', 'A'.repeat(4096))).status).toBe(201);
    expect((await put(id, 'a.txt', 'a'.repeat(1000))).status).toBe(201);
    expect((await put(id, 'b.txt', 'b')).status).toBe(201);
    expect((await put(id, 'c.txt', 'c')).status).toBe(201);
    const fourth = await put(id, 'd.txt', 'd');
    expect(fourth.status).toBe(413);
    expect(fourth.body.error.code).toBe('storage_quota_exceeded');
    expect(await paths(id)).toEqual(['a.txt', 'b.txt', 'c.txt']);
  });

  it.each([
    [
      'javascript',
      `files.write('a.txt', 'changed'); files.write('huge.txt', 'x'.repeat(5000)); 'done'`,
      `[files.list(), files.read('a.txt')]`,
    ],
    [
      'python',
      `open('a.txt', 'w').write('changed')\nopen('huge.txt', 'w').write('x' * 5000)`,
      `import os\n[sorted(os.listdir('.')), open('a.txt').read()]`,
    ],
  ] as const)(
    '%s writing past the quota keeps none of it: storage_quota_exceeded, the files as they were, in the next call too',
    async (language, write, readBack) => {
      const id = await sandbox({ storage_bytes: 4096 });
      expect((await put(id, 'a.txt', 'original')).status).toBe(201);
      const refused = await run(id, language, write);
      expect(refused.error?.code).toBe('storage_quota_exceeded');
      expect(refused.files.changed).toEqual([]);
      expect(await paths(id)).toEqual(['a.txt']);
      expect(await fileText(id, 'a.txt')).toBe('original');
      // The code's next call sees what the hub kept, not what it was refused.
      const after = await run(id, language, readBack);
      expect(after.error).toBeNull();
      expect(after.result).toEqual([['a.txt'], 'original']);
    },
    60_000,
  );
});
