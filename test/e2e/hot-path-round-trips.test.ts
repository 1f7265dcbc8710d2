import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedKey, Tenant } from '../../src/admin/contract.js';
import { ADMIT_SCRIPT, READ_SCRIPT, SEED_SCRIPT, SETTLE_SCRIPT } from '../../src/cluster/redis-scripts.js';
import { openDatabase } from '../../src/storage/index.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import {
  type CountedDatabase,
  countDatabaseCalls,
  type DatabaseCall,
  sqlHead,
  trackServerRequests,
} from '../support/database-call-counter.js';
import { admin } from '../support/economy.js';
import { type ConfigInput, startTestHub, type TestHub } from '../support/hub.js';
import { startPostgresCounter, startRedisCounter, type TcpCounter, type WireCall } from '../support/tcp-counter.js';

/**
 * Issue #16: with a virtual key that has a budget and rate limits (what the bench uses), a warm request
 * costs one Redis round trip to admit and one to settle (a Lua script each) and no database round trip.
 * Counted on the wire (proxies in front of Redis and PostgreSQL) and at the Database object, where each
 * call is also tied to the HTTP request it was made for (or to none: a timer's background work).
 */

const REQUESTS = 20;
const WARM_UP = 3;
const DATABASE_URL = process.env.TOKENHUB_TEST_DATABASE_URL;
const REDIS_URL = process.env.TOKENHUB_TEST_REDIS_URL;

const sha1 = (source: string): string => createHash('sha1').update(source).digest('hex');
const SCRIPT_NAMES = new Map([
  [sha1(ADMIT_SCRIPT), 'admit'],
  [sha1(SETTLE_SCRIPT), 'settle'],
  [sha1(SEED_SCRIPT), 'seed'],
  [sha1(READ_SCRIPT), 'read'],
]);

/**
 * The hub's timers that reach the database on their own, off the request path (the hub has no switch to
 * pause them), known by their SQL. A statement outside this list during a window fails the test.
 */
const BACKGROUND: { job: string; sql: RegExp }[] = [
  { job: 'ledger flusher, every 200 ms: journal entries into the ledger', sql: /^with inserted as \( insert into ledger\b/ },
  { job: 'run engine, every 1 s: claims queued runs', sql: /^with candidate as \( select id from runs\b/ },
  { job: 'workflow runs, every 1 s: wakes due runs and parents of settled runs', sql: /^update runs (parent )?set status = 'queued'/ },
  { job: 'inbox webhooks, every 1 s: claims due deliveries', sql: /^with due as \( select d\.id from webhook_deliveries\b/ },
  {
    job: 'inbox sweeper, every 5 s: expired claims, SLA breaches, agent runs lacking tasks',
    sql: /^with due as \( select id(, assignee)? from inbox_tasks\b|^select r\.id, r\.tenant_id from runs r where r\.kind = 'agent'/,
  },
  {
    job: 'sandbox reclaimer, every 5 s: expired sandboxes, storage to bill',
    sql: /^select .* from (sandboxes|sandbox_workspaces) where\b/,
  },
  { job: 'workflow scheduler, every 30 s: lists workflows with schedules', sql: /-> 'triggers' \? 'schedules'/ },
  {
    job: 'upstream control, every 60 s: reloads stored providers and models',
    sql: /^select .* from (upstream_providers|routed_models) order by\b/,
  },
];

function config(upstreamUrl: string): ConfigInput {
  return {
    providers: [{ id: 'fake', type: 'openai', base_url: upstreamUrl, api_key: 'sk-fake' }],
    models: [
      { name: 'fast', targets: [{ provider: 'fake', model: 'fake-model' }], pricing: { input_per_mtok: 1.5, output_per_mtok: 2.5 } },
    ],
  };
}

/** A Redis command as a label: scripts by their name (EVALSHA, or EVAL after NOSCRIPT), others by command. */
function redisLabel(call: WireCall): string {
  if (call.name === 'EVALSHA') return `script ${SCRIPT_NAMES.get(call.args[0] ?? '') ?? `unknown ${call.args[0]}`}`;
  if (call.name === 'EVAL') return `script ${SCRIPT_NAMES.get(sha1(call.args[0] ?? '')) ?? 'unknown (EVAL)'}`;
  return call.name;
}

function tally(labels: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

const describeCall = (call: DatabaseCall): string =>
  `${call.via} ${sqlHead(call.sql)}${call.request ? ` [for ${call.request}]` : ''}  ← ${call.stack.slice(0, 6).join(' ← ')}`;

interface Window {
  database: DatabaseCall[];
  postgres: WireCall[];
  redis: WireCall[];
}

interface Lane {
  hub: TestHub;
  upstream: FakeOpenAI;
  key: string;
  counted: CountedDatabase;
  postgres: (TcpCounter & { url: string }) | undefined;
  redis: (TcpCounter & { url: string }) | undefined;
  close(): Promise<void>;
}

async function startLane(): Promise<Lane> {
  const upstream = await startFakeOpenAI({ reply: 'Hello from the fake upstream, in a few chunks.', chunks: 8 });
  const postgres = DATABASE_URL ? await startPostgresCounter(DATABASE_URL) : undefined;
  const redis = REDIS_URL ? await startRedisCounter(REDIS_URL) : undefined;
  const schema = `round_trips_${process.pid}_${Date.now().toString(36)}`;
  const inner = postgres ? await openDatabase({ url: postgres.url, schema }) : await openDatabase({});
  const counted = countDatabaseCalls(inner);
  const hub = await startTestHub(config(upstream.url), {
    database: counted.database,
    ...(redis ? { redisUrl: redis.url, redisKeyPrefix: `tokenhub-test:${schema}:` } : {}),
  });
  const tenant = await admin<Tenant>(hub, 'POST', '/admin/v1/tenants', { name: 'round-trips' });
  const created = await admin<CreatedKey>(hub, 'POST', '/admin/v1/keys', {
    tenant_id: tenant.id,
    rate_limits: { rpm: 1_000_000, tpm: 1_000_000_000 },
    budget: { limit_usd: '1000', period: 'month' },
  });
  return {
    hub,
    upstream,
    key: created.key,
    counted,
    postgres,
    redis,
    async close() {
      await hub.close();
      if (postgres) await inner.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
      await inner.close();
      await redis?.close();
      await postgres?.close();
      await upstream.close();
    },
  };
}

async function chat(lane: Lane, stream: boolean): Promise<void> {
  const response = await fetch(`${lane.hub.openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${lane.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'fast',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Say hello.' }],
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`chat completion → ${response.status}: ${body}`);
  if (stream) expect(body).toContain('data: [DONE]');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `count` sequential requests and returns what the hub sent to its stores meanwhile (and until they settled). */
async function measure(lane: Lane, stream: boolean, count: number): Promise<Window> {
  const marks = { database: lane.counted.calls.length, postgres: lane.postgres?.calls.length ?? 0, redis: lane.redis?.calls.length ?? 0 };
  for (let index = 0; index < count; index++) await chat(lane, stream);
  // A stream settles just after its last byte: wait for the settle scripts, then a quiet spell longer
  // than the ledger flusher's 200 ms tick, so a late extra call is inside the window too.
  const deadline = Date.now() + 5_000;
  const settles = () => (lane.redis?.calls.slice(marks.redis) ?? []).filter((call) => redisLabel(call) === 'script settle').length;
  while (lane.redis && settles() < count && Date.now() < deadline) await sleep(10);
  await sleep(400);
  return {
    database: lane.counted.calls.slice(marks.database),
    postgres: lane.postgres?.calls.slice(marks.postgres) ?? [],
    redis: lane.redis?.calls.slice(marks.redis) ?? [],
  };
}

type Kind = 'chat completions' | 'streamed chat completions';
const KINDS: Kind[] = ['chat completions', 'streamed chat completions'];

describe('the hot path makes no avoidable round trip (virtual key with a budget and rate limits)', () => {
  let lane: Lane;
  let warmUp: Window;
  let stopTracking: () => void;

  beforeAll(async () => {
    stopTracking = trackServerRequests();
    lane = await startLane();
    // First use loads the key into the cache from the database: allowed once.
    const plain = await measure(lane, false, WARM_UP);
    const streamed = await measure(lane, true, WARM_UP);
    warmUp = {
      database: [...plain.database, ...streamed.database],
      postgres: [...plain.postgres, ...streamed.postgres],
      redis: [...plain.redis, ...streamed.redis],
    };
    await lane.hub.hub.economy.flush();
  }, 60_000);

  afterAll(async () => {
    await lane?.close();
    stopTracking?.();
  });

  it('the counters see the hub: the cold key is read from the database once, for the first request', () => {
    const keyLoads = warmUp.database.filter(
      (call) => call.request?.startsWith('POST /v1/chat/completions') && /\bfrom api_keys\b/.test(call.sql),
    );
    expect(keyLoads.map(describeCall)).toHaveLength(1);
    if (lane.postgres) expect(warmUp.postgres.filter((call) => /\bfrom api_keys\b/.test(call.args[0] ?? ''))).toHaveLength(1);
    if (lane.redis) {
      // At least: on a Redis that had not seen the scripts yet, the first EVALSHA of each answers NOSCRIPT and an EVAL follows.
      const scripts = tally(warmUp.redis.map(redisLabel));
      expect(scripts['script admit']).toBeGreaterThanOrEqual(2 * WARM_UP);
      expect(scripts['script settle']).toBeGreaterThanOrEqual(2 * WARM_UP);
    }
  });

  it.each(KINDS)(`${REQUESTS} sequential %s make no database round trip`, async (kind) => {
    const window = await measure(lane, kind === 'streamed chat completions', REQUESTS);
    const background = (sql: string) => BACKGROUND.find((job) => job.sql.test(sqlHead(sql, 10_000)))?.job;
    expect({
      forRequests: window.database.filter((call) => call.request !== undefined).map(describeCall),
      unexplained: window.database.filter((call) => call.request === undefined && !background(call.sql)).map(describeCall),
      unexplainedOnTheWire: window.postgres
        .filter((call) => !background(call.args[0] ?? ''))
        .map((call) => `${call.name} ${sqlHead(call.args[0] ?? '')}`),
    }).toEqual({ forRequests: [], unexplained: [], unexplainedOnTheWire: [] });
  });

  it.skipIf(!REDIS_URL).each(KINDS)(
    `${REQUESTS} sequential %s: one admit and one settle script each on Redis, nothing else`,
    async (kind) => {
      const window = await measure(lane, kind === 'streamed chat completions', REQUESTS);
      // Nothing is excluded: no timer of the hub talks to Redis (its pollers and flusher use the database),
      // and the subscriber connection sent its SUBSCRIBEs at start-up.
      expect(tally(window.redis.map(redisLabel))).toEqual({ 'script admit': REQUESTS, 'script settle': REQUESTS });
    },
  );
});
