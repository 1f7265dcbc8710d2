/**
 * `npm run bench:sandboxes`: what a local sandbox costs, through the real HTTP API of a hub in process.
 *
 * - Start: making a sandbox and its first JavaScript call (the interpreter process starts then).
 * - Warm calls: a trivial JavaScript and Python call on a sandbox whose interpreter is loaded, against the
 *   baseline of `GET /v1/sandboxes/{id}` on the same hub (what HTTP, auth and the database cost alone).
 * - Python's first call (Pyodide loads: not billed, not counted against the CPU limit).
 * - Memory: resident size of an idle sandbox process with QuickJS, and with Pyodide loaded.
 *
 * Writes bench/results/sandboxes-latest.md.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKey, createTenant } from '../test/support/economy.js';
import { startTestHub } from '../test/support/hub.js';
import { machineFacts } from './machine.js';

const ROUNDS = 30;
const hub = await startTestHub({});
const tenant = await createTenant(hub, 'bench-sandboxes');
const { key } = await createKey(hub, { tenant_id: tenant.id, scopes: ['sandboxes'] });

async function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

const timed = async (work: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const rss = async (pid: number): Promise<number> => Number((await readFile(`/proc/${pid}/statm`, 'utf8')).split(' ')[1]) * 4096;
const processOf = () => hub.hub.sandboxes.providers.local as unknown as { processes: Map<string, Promise<{ pid: number }>> } | undefined;

const starts: number[] = [];
const ids: string[] = [];
for (let round = 0; round < 10; round++) {
  starts.push(
    await timed(async () => {
      const sandbox = await call('POST', '/v1/sandboxes', {});
      ids.push(String(sandbox.id));
      await call('POST', `/v1/sandboxes/${sandbox.id}/code`, { language: 'javascript', code: '1' });
    }),
  );
}
const id = ids[0] as string;
const baseline: number[] = [];
const javascript: number[] = [];
const python: number[] = [];
const pythonFirst = await timed(() => call('POST', `/v1/sandboxes/${id}/code`, { language: 'python', code: '1' }));
for (let round = 0; round < ROUNDS; round++) {
  baseline.push(await timed(() => call('GET', `/v1/sandboxes/${id}`)));
  javascript.push(await timed(() => call('POST', `/v1/sandboxes/${id}/code`, { language: 'javascript', code: '1 + 1' })));
  python.push(await timed(() => call('POST', `/v1/sandboxes/${id}/code`, { language: 'python', code: '1 + 1' })));
}
const local = processOf();
const withPython = await rss((await local?.processes.get(id))?.pid ?? 0);
const quickjsOnly = await rss((await local?.processes.get(ids[1] as string))?.pid ?? 0);
for (const sandbox of ids) await call('DELETE', `/v1/sandboxes/${sandbox}`);
await hub.close();

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const mb = (value: number): string => `${(value / 1024 / 1024).toFixed(0)} MiB`;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const facts = machineFacts(root, 'none');
const report = `# Sandboxes (local provider)

${facts.cpuModel} · ${facts.cores} cores · Node ${facts.node} · commit ${facts.commit} · ${new Date().toISOString()}

Medians over ${ROUNDS} interleaved rounds, through the HTTP API of one hub (PGlite).

| what | median | vs baseline |
|---|---|---|
| baseline: \`GET /v1/sandboxes/{id}\` (HTTP, auth, one read) | ${ms(median(baseline))} | 1.0× |
| warm JavaScript call (\`1 + 1\`, QuickJS) | ${ms(median(javascript))} | ${(median(javascript) / median(baseline)).toFixed(1)}× |
| warm Python call (\`1 + 1\`, Pyodide) | ${ms(median(python))} | ${(median(python) / median(baseline)).toFixed(1)}× |
| make a sandbox + its first JavaScript call (process start) | ${ms(median(starts))} | ${(median(starts) / median(baseline)).toFixed(1)}× |
| first Python call of a sandbox (Pyodide loads) | ${ms(pythonFirst)} | — |

Resident memory of an idle sandbox process: ${mb(quickjsOnly)} with QuickJS only, ${mb(withPython)} with Pyodide loaded.
`;
const out = join(root, 'bench', 'results', 'sandboxes-latest.md');
await writeFile(out, report);
process.stdout.write(report);
