/**
 * SIGTERM drain of the real CLI (`tokenhub start`, run from source with tsx) as a child process:
 * an in-flight stream finishes, new connections are refused meanwhile, and the process exits 0 as
 * soon as nothing is left; a stream longer than `drain_timeout_ms` is cut at the deadline and the
 * process still exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { CHAT, ssePayloads, waitFor } from './support.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ADMIN_KEY = 'thadm_drain_test_key_0123456789';
// PGlite's first start (initdb) takes seconds, many more on a loaded machine.
const START_TIMEOUT_MS = 90_000;

let upstream: FakeOpenAI;
let workDir: string;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  workDir = await mkdtemp(join(tmpdir(), 'tokenhub-drain-'));
});

afterAll(async () => {
  await upstream?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface RunningHub {
  child: ChildProcess;
  url: string;
  /** Log lines (pino JSON) seen so far. */
  logs: { msg?: string; [key: string]: unknown }[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function startCli(drainTimeoutMs: number): Promise<RunningHub> {
  const configFile = join(workDir, `tokenhub-${drainTimeoutMs}.yaml`);
  await writeFile(
    configFile,
    stringify({
      server: { drain_timeout_ms: drainTimeoutMs },
      providers: [{ id: 'slow', type: 'openai', base_url: upstream.url }],
      models: [{ name: 'slow', targets: [{ provider: 'slow', model: 'slow-up' }] }],
      routing: { retries: 0, timeout_ms: 120_000 },
    }),
  );
  // Plain node with tsx's loader: the signal reaches the hub itself, not a wrapper process.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'start', '--config', configFile, '--port', '0', '--data-dir', join(workDir, 'data')],
    {
      cwd: ROOT,
      env: { ...process.env, TOKENHUB_ADMIN_KEY: ADMIN_KEY, TOKENHUB_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: RunningHub['logs'] = [];
  let stderr = '';
  child.stderr?.on('data', (piece: Buffer) => {
    stderr += piece.toString('utf8');
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as RunningHub['logs'][number]);
    } catch {
      logs.push({ msg: line });
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal, at: performance.now() }));
  });
  let earlyExit = false;
  void exited.then(() => {
    earlyExit = true;
  });
  await waitFor(
    'the CLI to listen',
    () => {
      if (earlyExit) throw new Error(`tokenhub exited before listening:\n${stderr}`);
      return logs.some((line) => line.msg === 'TokenHub listening');
    },
    START_TIMEOUT_MS,
  );
  const url = String(logs.find((line) => line.msg === 'TokenHub listening')?.url);
  return { child, url, logs, exited };
}

function openStream(hub: RunningHub, agent: Agent) {
  return request(`${hub.url}/v1/chat/completions`, {
    method: 'POST',
    dispatcher: agent,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'slow', ...CHAT, stream: true }),
  });
}

/** How a brand-new connection to the draining hub fares: refused outright, or a 503. */
async function newConnectionOutcome(url: string): Promise<string> {
  const agent = new Agent();
  try {
    const answer = await request(`${url}/healthz`, { dispatcher: agent, signal: AbortSignal.timeout(5_000) });
    await answer.body.text();
    return String(answer.statusCode);
  } catch (error) {
    return (error as { code?: string }).code ?? (error as Error).name;
  } finally {
    await agent.destroy();
  }
}

describe('SIGTERM drain (real CLI process)', () => {
  it(
    'finishes the in-flight stream, refuses new connections, then exits 0 without waiting for the deadline',
    async () => {
      const hub = await startCli(30_000);
      upstream.set({ chunks: 20, chunkDelayMs: 100 });
      const agent = new Agent();
      try {
        const answer = await openStream(hub, agent);
        expect(answer.statusCode).toBe(200);
        let text = '';
        const reading = (async () => {
          for await (const chunk of answer.body) text += (chunk as Buffer).toString('utf8');
        })();
        await waitFor('the first chunk', () => text.includes('data: '), 10_000);

        hub.child.kill('SIGTERM');
        await waitFor('the hub to start draining', () => hub.logs.some((line) => line.msg === 'draining'), 5_000);
        await waitFor('new connections to be turned away', async () => (await newConnectionOutcome(hub.url)) !== '200', 5_000);
        expect(['ECONNREFUSED', '503']).toContain(await newConnectionOutcome(hub.url));

        await reading;
        const streamEndedAt = performance.now();
        expect(ssePayloads(text).at(-1)).toBe('[DONE]');
        const content = ssePayloads(text)
          .slice(0, -1)
          .map((payload) => (JSON.parse(payload) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '')
          .join('');
        expect(content).toBe('Hello from fake OpenAI!');

        const exit = await hub.exited;
        expect(exit.code).toBe(0);
        // Drain ends when the last request does; the 30 s deadline is a cap, not a wait.
        expect(exit.at - streamEndedAt).toBeLessThan(15_000);
        expect(upstream.openRequests()).toBe(0);
      } finally {
        upstream.set({ chunks: 5, chunkDelayMs: 0 });
        hub.child.kill('SIGKILL');
        await agent.destroy();
      }
    },
    START_TIMEOUT_MS + 60_000,
  );

  it(
    'cuts a stream still running at drain_timeout_ms, and exits',
    async () => {
      const drainTimeoutMs = 1_000;
      const hub = await startCli(drainTimeoutMs);
      // 100 chunks, 200 ms apart: 20 s, far past the deadline.
      upstream.set({ chunks: 100, chunkDelayMs: 200 });
      const agent = new Agent();
      try {
        const answer = await openStream(hub, agent);
        let text = '';
        let cutAt = 0;
        const reading = (async () => {
          try {
            for await (const chunk of answer.body) text += (chunk as Buffer).toString('utf8');
          } catch {
            // The connection is cut: exactly what this test waits for.
          }
          cutAt = performance.now();
        })();
        await waitFor('the first chunk', () => text.includes('data: '), 10_000);

        const signalledAt = performance.now();
        hub.child.kill('SIGTERM');
        await reading;
        expect(text).not.toContain('[DONE]');
        // Cut at the deadline: not before it, and not long after.
        expect(cutAt - signalledAt).toBeGreaterThanOrEqual(drainTimeoutMs - 100);
        expect(cutAt - signalledAt).toBeLessThan(drainTimeoutMs + 10_000);

        const exit = await hub.exited;
        expect(exit.code).toBe(0);
        expect(exit.at - signalledAt).toBeLessThan(drainTimeoutMs + 15_000);
        // The upstream stream was aborted too, not left running for its remaining ~19 s.
        await waitFor('the upstream request to close', () => upstream.openRequests() === 0, 4_000);
      } finally {
        upstream.set({ chunks: 5, chunkDelayMs: 0 });
        hub.child.kill('SIGKILL');
        await agent.destroy();
      }
    },
    START_TIMEOUT_MS + 60_000,
  );
});
