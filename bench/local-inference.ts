/**
 * Local inference through TokenHub vs node-llama-cpp called directly, in the same process and run,
 * same GGUF, same settings (context, threads, `parallel` sequences, greedy decoding, same prompt and
 * token count). Reports decode tokens/s for one stream and for `parallel` concurrent streams, the
 * hub/direct ratio (target ≥ 0.95) and the time-to-first-token overhead.
 *
 *   tsx bench/local-inference.ts [--model FILE] [--tokens 256] [--parallel 2] [--threads 1] [--rounds 5] [--json]
 *
 * Rounds alternate direct and hub so that machine noise hits both sides alike; medians are reported.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getLlama, LlamaCompletion, type LlamaContextSequence } from 'node-llama-cpp';
import { startTestHub } from '../test/support/hub.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: fileURLToPath(new URL('../../shared/models/stories260K.gguf', import.meta.url)) },
    tokens: { type: 'string', default: '256' },
    parallel: { type: 'string', default: '2' },
    threads: { type: 'string', default: '1' },
    context: { type: 'string', default: '2048' },
    rounds: { type: 'string', default: '5' },
    prompt: { type: 'string', default: 'Once upon a time' },
    json: { type: 'boolean', default: false },
  },
});

const MODEL = values.model;
const TOKENS = Number(values.tokens);
const PARALLEL = Number(values.parallel);
const THREADS = Number(values.threads);
const CONTEXT = Number(values.context);
const ROUNDS = Number(values.rounds);
const PROMPT = values.prompt;

interface StreamSample {
  /** Milliseconds from request to first generated text. */
  ttftMs: number;
  /** Milliseconds from request to the last token. */
  totalMs: number;
  tokens: number;
}

interface LaneSample {
  /** Generated tokens of all streams / wall time of the whole lane. */
  tokensPerSecond: number;
  ttftMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function lane(samples: StreamSample[], wallMs: number): LaneSample {
  const tokens = samples.reduce((sum, sample) => sum + sample.tokens, 0);
  return { tokensPerSecond: (tokens * 1000) / wallMs, ttftMs: median(samples.map((sample) => sample.ttftMs)) };
}

/** One greedy completion straight on a context sequence, as an embedding app would call llama.cpp. */
async function directStream(free: LlamaContextSequence[]): Promise<StreamSample> {
  const started = performance.now();
  const sequence = free.pop();
  if (!sequence) throw new Error('no free sequence');
  const completion = new LlamaCompletion({ contextSequence: sequence });
  let ttftMs = -1;
  let tokens = 0;
  try {
    await completion.generateCompletion(PROMPT, {
      maxTokens: TOKENS,
      temperature: 0,
      repeatPenalty: false,
      disableContextShift: true,
      onToken: (generated) => {
        if (ttftMs < 0) ttftMs = performance.now() - started;
        tokens += generated.length;
      },
    });
  } finally {
    completion.dispose({ disposeSequence: false });
    // Cleared and reused, as TokenHub does (a disposed sequence's id comes back only asynchronously).
    await sequence.clearHistory();
    free.push(sequence);
  }
  return { ttftMs, totalMs: performance.now() - started, tokens };
}

/** The same completion through TokenHub's HTTP API (admission, routing, SSE, metering). */
async function hubStream(baseUrl: string, key: string): Promise<StreamSample> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'bench',
      prompt: PROMPT,
      max_tokens: TOKENS,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  if (!response.ok || !response.body) throw new Error(`hub answered ${response.status}: ${await response.text()}`);
  let ttftMs = -1;
  let tokens = 0;
  let buffered = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    let boundary = buffered.indexOf('\n\n');
    while (boundary !== -1) {
      const event = buffered.slice(0, boundary);
      buffered = buffered.slice(boundary + 2);
      boundary = buffered.indexOf('\n\n');
      const data = event.replace(/^data: /, '');
      if (data === '[DONE]') continue;
      const parsed = JSON.parse(data) as { choices: { text?: string }[]; usage?: { completion_tokens: number } };
      if (ttftMs < 0 && parsed.choices[0]?.text) ttftMs = performance.now() - started;
      if (parsed.usage) tokens = parsed.usage.completion_tokens;
    }
  }
  return { ttftMs, totalMs: performance.now() - started, tokens };
}

async function runLane(concurrency: number, once: () => Promise<StreamSample>): Promise<LaneSample> {
  const started = performance.now();
  const samples = await Promise.all(Array.from({ length: concurrency }, once));
  return lane(samples, performance.now() - started);
}

async function main(): Promise<void> {
  if (!existsSync(MODEL)) {
    process.stderr.write(`local-inference bench: model file ${MODEL} not found (pass --model FILE)\n`);
    process.exit(2);
  }
  const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false, maxThreads: 0 });
  const model = await llama.loadModel({ modelPath: MODEL });
  const context = await model.createContext({ contextSize: CONTEXT, sequences: PARALLEL, threads: THREADS });
  const free = Array.from({ length: PARALLEL }, () => context.getSequence());

  const hub = await startTestHub({
    providers: [
      {
        id: 'box',
        type: 'local',
        models: [{ id: 'bench', path: MODEL, context: CONTEXT, parallel: PARALLEL, threads: THREADS, max_queue: PARALLEL, load: 'start' }],
      },
    ],
    models: [{ name: 'bench', targets: [{ provider: 'box', model: 'bench' }] }],
    routing: { retries: 0, timeout_ms: 600_000, first_byte_timeout_ms: 600_000 },
  });

  const lanes = { single: 1, parallel: PARALLEL };
  const results: Record<string, { direct: LaneSample[]; hub: LaneSample[] }> = {};
  try {
    // Warm both paths (model pages, JIT) before measuring.
    await runLane(1, () => directStream(free));
    await runLane(1, () => hubStream(hub.openaiBaseUrl, hub.adminKey));
    for (const [name, concurrency] of Object.entries(lanes)) {
      const entry = { direct: [] as LaneSample[], hub: [] as LaneSample[] };
      for (let round = 0; round < ROUNDS; round++) {
        entry.direct.push(await runLane(concurrency, () => directStream(free)));
        entry.hub.push(await runLane(concurrency, () => hubStream(hub.openaiBaseUrl, hub.adminKey)));
      }
      results[name] = entry;
    }
  } finally {
    await hub.close();
    await context.dispose();
    await model.dispose();
  }

  const report = Object.entries(results).map(([name, entry]) => {
    const direct = median(entry.direct.map((sample) => sample.tokensPerSecond));
    const viaHub = median(entry.hub.map((sample) => sample.tokensPerSecond));
    const directTtft = median(entry.direct.map((sample) => sample.ttftMs));
    const hubTtft = median(entry.hub.map((sample) => sample.ttftMs));
    return {
      lane: name,
      streams: lanes[name as keyof typeof lanes],
      directTokensPerSecond: Number(direct.toFixed(1)),
      hubTokensPerSecond: Number(viaHub.toFixed(1)),
      ratio: Number((viaHub / direct).toFixed(3)),
      directTtftMs: Number(directTtft.toFixed(2)),
      hubTtftMs: Number(hubTtft.toFixed(2)),
      ttftOverheadMs: Number((hubTtft - directTtft).toFixed(2)),
    };
  });
  const settings = { model: MODEL, tokens: TOKENS, parallel: PARALLEL, threads: THREADS, context: CONTEXT, rounds: ROUNDS };
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ settings, report }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`local inference: ${JSON.stringify(settings)}\n`);
  for (const row of report) {
    process.stdout.write(
      `${row.lane.padEnd(9)} ${row.streams} stream(s): direct ${row.directTokensPerSecond} tok/s, hub ${row.hubTokensPerSecond} tok/s, ` +
        `ratio ${row.ratio}${row.ratio >= 0.95 ? '' : ' (below the 0.95 target)'}; TTFT direct ${row.directTtftMs} ms, hub ${row.hubTtftMs} ms (+${row.ttftOverheadMs} ms)\n`,
    );
  }
}

await main();
