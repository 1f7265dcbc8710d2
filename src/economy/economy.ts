import { join } from 'node:path';
import { type ClusterState, createRedisClusterState, MemoryClusterState } from '../cluster/index.js';
import { type Clock, systemClock } from '../core/index.js';
import {
  ApiKeyLookup,
  type ApiKeyRecord,
  BodyLoggingRepository,
  type BodyLoggingSetting,
  BudgetsRepository,
  type Database,
  type LedgerEntry,
  LedgerWriter,
} from '../storage/index.js';
import { BodyLog } from './body-log.js';
import { BudgetCounters } from './budget-counters.js';
import { BudgetService } from './budget-service.js';
import type { EconomyGate, Principal } from './contract.js';
import type { EconomyConfig } from './economy-config.js';
import { Gate } from './gate.js';
import { decodeInvalidation, INVALIDATION_CHANNEL } from './invalidation.js';
import { Journal } from './journal.js';
import { KeyCache, type KeyContext } from './key-cache.js';
import { Invalidator, KeyService } from './key-service.js';
import { LedgerFlusher } from './ledger-flusher.js';
import { LedgerQuarantine } from './ledger-quarantine.js';
import { type EconomyLogger, silentLogger } from './logger.js';
import { PriceBook } from './pricing.js';
import type { SpendGate } from './spend.js';
import { TenancyService } from './tenancy-service.js';
import { UsageService } from './usage-service.js';

export interface EconomyDeps {
  db: Database;
  /** The replica's own data directory; the journal lives in `<dataDir>/journal`. Never share it between processes. */
  dataDir: string;
  /** redis://… for cluster mode; without it counters and invalidations stay in this process. */
  redisUrl?: string | undefined;
  /** Prefix of every Redis key and channel (default `tokenhub:`). */
  redisKeyPrefix?: string | undefined;
  /** `HubConfig` fits: the economy reads `models[].{name, pricing, max_output_tokens, targets, fallbacks}`. */
  config: EconomyConfig;
  /** sha256 hex of the admin key. */
  adminKeyHash?: string | undefined;
  clock?: Clock;
  logger?: EconomyLogger;
  /** An existing cluster state to share (tests run several economies on one); it is not closed by `close()`. */
  cluster?: ClusterState;
  /** How often the journal is moved into the ledger (default 200 ms). */
  flushIntervalMs?: number;
  /** Output cap for reservations when neither request nor model config sets one (default 4096). */
  defaultOutputCap?: number;
  /** Lease on reservations and concurrency slots of a replica that dies mid-request (default 15 min). */
  reservationLeaseMs?: number;
  /** Told of every ledger entry once it is durable (metrics). Must not throw. */
  onSettled?: (entry: LedgerEntry) => void;
}

export type Broadcast = Pick<ClusterState, 'publish' | 'subscribe' | 'onResync'>;

export interface Readiness {
  ok: boolean;
  /** Serving, but something needs an operator (a failing ledger flush, quarantined usage entries). */
  degraded?: boolean;
  checks: Record<string, string>;
}

/** The token economy: the gateway's gate plus the services the admin API drives. */
export interface Economy {
  gate: EconomyGate;
  /** Sandboxes' CPU time and storage, billed like tokens. */
  spend: SpendGate;
  tenancy: TenancyService;
  keys: KeyService;
  budgets: BudgetService;
  usage: UsageService;
  /** Opt-in request and response bodies: settings per key or project, the writer the gateway records into, the sweep. */
  bodies: BodyLog;
  prices: PriceBook;
  /** 'memory' or 'redis'. */
  clusterKind: ClusterState['kind'];
  /** Cluster-wide messages for other control-plane caches (Redis pub/sub across replicas; in-process on one node). */
  broadcast: Broadcast;
  readiness(): Promise<Readiness>;
  /** The principal of a key by id, as it stands now (an agent run acts for the key that started it); revoked keys throw. */
  principalForKey(tenantId: string, keyId: string): Promise<Principal>;
  /** Usage records journaled but not yet in the ledger. */
  journalLag(): number;
  /** Usage records the ledger refused for good, kept in the quarantine file. */
  ledgerQuarantined(): number;
  /** Moves everything journaled so far into the ledger (usage queries then see it). */
  flush(): Promise<void>;
  /** Flushes the journal into the ledger and stops; call after the HTTP server has drained. */
  close(): Promise<void>;
}

function principalOf(key: ApiKeyRecord, bodyLogging: BodyLoggingSetting | undefined): Principal {
  return Object.freeze({
    kind: 'virtual-key',
    tenantId: key.tenantId,
    projectId: key.projectId,
    keyId: key.id,
    allowedModels: key.models ? Object.freeze([...key.models]) : null,
    scopes: Object.freeze([...key.scopes]),
    userId: key.userId,
    ...(bodyLogging?.enabled ? { bodyRetentionDays: bodyLogging.retentionDays } : {}),
  });
}

/**
 * Builds the economy: replays what a previous process journaled but did not flush, then serves.
 * Replay finishes before this resolves, so spend counters seeded afterwards include it.
 */
export async function createEconomy(deps: EconomyDeps): Promise<Economy> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const { db } = deps;

  const writer = new LedgerWriter(db);
  const { journal, recovered, tornLines } = await Journal.open(join(deps.dataDir, 'journal'), {
    durability: deps.config.economy?.durability ?? 'process',
    ...(deps.config.economy?.fsync_interval_ms ? { syncIntervalMs: deps.config.economy.fsync_interval_ms } : {}),
  });
  const recoveredEntries = recovered.reduce((sum, segment) => sum + segment.entries.length, 0);
  if (recoveredEntries > 0 || tornLines > 0) {
    logger.info({ segments: recovered.length, entries: recoveredEntries, tornLines }, 'replaying usage journal into the ledger');
  }
  const quarantine = await LedgerQuarantine.open(join(deps.dataDir, 'ledger-quarantine'));
  const flusher = new LedgerFlusher({ journal, writer, logger, quarantine, recovered });
  // A ledger that cannot take the replay now (the database is away) is not a reason to stay down: the
  // entries are safe on disk and the flusher retries them; seeding spend counters waits for the database anyway.
  await flusher.flush().catch(() => {});
  flusher.start(deps.flushIntervalMs ?? 200);

  const ownsCluster = !deps.cluster;
  const cluster =
    deps.cluster ??
    (deps.redisUrl
      ? await createRedisClusterState({
          url: deps.redisUrl,
          ...(deps.redisKeyPrefix ? { keyPrefix: deps.redisKeyPrefix } : {}),
          onError: (error) => logger.warn({ err: error }, 'redis connection error'),
        })
      : new MemoryClusterState());

  const lookup = new ApiKeyLookup(db);
  const loadContext = async (key: ApiKeyRecord | undefined): Promise<KeyContext | undefined> => {
    if (!key) return undefined;
    const [budgets, bodyLogging] = await Promise.all([
      new BudgetsRepository(db, key.tenantId).forKey(key.id, key.projectId),
      new BodyLoggingRepository(db, key.tenantId).effectiveFor(key.id, key.projectId),
    ]);
    return { principal: principalOf(key, bodyLogging), key, budgets };
  };
  const keyCache = new KeyCache({
    clock,
    loadByHash: async (keyHash) => loadContext(await lookup.byHash(keyHash)),
    loadById: async (keyId) => loadContext(await lookup.byId(keyId)),
    invalidationsLive: () => cluster.invalidationsLive(),
  });
  const unsubscribe = await cluster.subscribe(INVALIDATION_CHANNEL, (message) => {
    const invalidation = decodeInvalidation(message);
    if (invalidation?.type === 'key') keyCache.invalidateKey(invalidation.keyId);
    else if (invalidation?.type === 'tenant') keyCache.invalidateTenant(invalidation.tenantId);
  });
  cluster.onResync(() => {
    logger.warn({}, 'cluster subscription re-established; dropping cached keys');
    keyCache.clear();
  });

  const prices = new PriceBook(deps.config);
  const counters = new BudgetCounters({ db, cluster, clock });
  const gate = new Gate({
    adminKeyHash: deps.adminKeyHash,
    keyCache,
    counters,
    cluster,
    priceBook: prices,
    settlement: { journal, cluster, priceBook: prices, logger, now: () => clock.now(), onSettled: deps.onSettled },
    clock,
    leaseMs: deps.reservationLeaseMs ?? 15 * 60_000,
    defaultOutputCap: deps.defaultOutputCap ?? 4_096,
    spend: { journal, cluster, logger, now: () => clock.now(), onSettled: deps.onSettled },
  });

  const tenancy = new TenancyService(db);
  const invalidator = new Invalidator(cluster, keyCache, logger);
  const keys = new KeyService({ db, tenancy, invalidator, clock });
  const budgets = new BudgetService({ db, tenancy, keys, counters, invalidator });
  const bodies = new BodyLog({ db, clock, logger, keys, invalidator });
  bodies.start();

  let closed = false;
  return {
    gate,
    spend: {
      admit: (principal, request) => gate.admitSpend(principal, request),
      charge: (account, requestId, record) => gate.charge(account, requestId, record),
    },
    tenancy,
    keys,
    budgets,
    usage: new UsageService(db, { budgets, clock }),
    bodies,
    prices,
    clusterKind: cluster.kind,
    broadcast: {
      publish: (channel, message) => cluster.publish(channel, message),
      subscribe: (channel, handler) => cluster.subscribe(channel, handler),
      onResync: (handler) => cluster.onResync(handler),
    },
    async readiness() {
      const [database, clusterHealth] = await Promise.all([db.ping(), cluster.health()]);
      const journalStatus = flusher.status();
      const checks: Record<string, string> = {
        database: database ? 'ok' : 'unreachable (degraded: serving from caches, usage safe in the journal)',
        cluster: clusterHealth.detail,
        journal: journalStatus.lastError
          ? `ledger flush failing (${journalStatus.pendingEntries} entries safe on disk): ${journalStatus.lastError}`
          : `ok (${journalStatus.pendingEntries} entries pending)`,
        ledger:
          journalStatus.quarantined > 0
            ? `${journalStatus.quarantined} usage entries refused by the ledger, kept in ${journalStatus.quarantinePath}`
            : 'ok',
      };
      // Neither a lagging ledger nor a database outage is unreadiness: usage is durable in the journal and
      // admission runs from caches, so taking every replica out of rotation at once would only cause an outage.
      // They are reported as degraded. The cluster state is different: without it budgets cannot be
      // enforced, and admission fails closed.
      const degraded = !database || journalStatus.lastError !== null || journalStatus.quarantined > 0;
      return { ok: clusterHealth.ok, degraded, checks };
    },
    principalForKey: (tenantId, keyId) => gate.principalForKey(tenantId, keyId),
    journalLag: () => flusher.status().pendingEntries,
    ledgerQuarantined: () => flusher.status().quarantined,
    flush: () => flusher.flush(),
    async close() {
      if (closed) return;
      closed = true;
      await unsubscribe().catch(() => {});
      await bodies.stop();
      await flusher.stop();
      if (ownsCluster) await cluster.close();
    },
  };
}
