import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { HubError } from '../core/index.js';
import type { AdmitCommand, AdmitResult, BudgetCounter, ClusterHealth, ClusterState, SettleCommand } from './contract.js';
import { ADMIT_SCRIPT, READ_SCRIPT, SEED_SCRIPT, SETTLE_SCRIPT } from './redis-scripts.js';

export interface RedisClusterOptions {
  url: string;
  /** Prepended to every key and channel; tests use a unique one. In Redis Cluster it must hold a hash tag, e.g. `{tokenhub}:`. */
  keyPrefix?: string;
  /** How long a command may take before admission fails closed. */
  commandTimeoutMs?: number;
  /** How long `createRedisClusterState` waits for the first connection before it returns anyway (readiness then reports it). */
  connectTimeoutMs?: number;
  onError?: (error: Error) => void;
}

interface Script {
  source: string;
  sha: string;
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const SCRIPTS = { admit: script(ADMIT_SCRIPT), settle: script(SETTLE_SCRIPT), seed: script(SEED_SCRIPT), read: script(READ_SCRIPT) };

type RedisReply = string | number | null | RedisReply[];

const unavailable = (cause: unknown): HubError =>
  new HubError('DEPENDENCY_UNAVAILABLE', 'Budgets and rate limits cannot be checked: the cluster state store (Redis) is unreachable.', {
    cause,
    retryAfterSeconds: 1,
  });

/**
 * Cluster state shared by replicas through Redis. Commands are never queued while disconnected
 * (`enableOfflineQueue: false`): admission must fail closed at once, not hang until Redis returns.
 */
/** The previous window's weight as the script reads it: a plain decimal in [0, 1]. */
function slidingWeight(weight: number | undefined): string {
  return weight === undefined ? '0' : Math.min(1, Math.max(0, weight)).toFixed(6);
}

export class RedisClusterState implements ClusterState {
  readonly kind = 'redis';
  /** Sends each command at once: the quickest answer while nothing else is waiting on Redis. */
  private readonly client: Redis;
  /**
   * Sends the commands of one event-loop turn in one socket write (ioredis auto-pipelining): under load,
   * where a loopback write costs tens of µs and every admission and settlement is one command.
   */
  private readonly pipelined: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly resyncHandlers = new Set<() => void>();
  private subscriberReadyOnce = false;
  private readonly onError: (error: Error) => void;
  private closed = false;

  constructor(options: RedisClusterOptions) {
    this.prefix = options.keyPrefix ?? 'tokenhub:';
    const common = {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    };
    const commands = { ...common, enableOfflineQueue: false, commandTimeout: options.commandTimeoutMs ?? 2_000 };
    this.client = new Redis(options.url, commands);
    this.pipelined = new Redis(options.url, { ...commands, enableAutoPipelining: true });
    // Subscriptions may queue until Redis is back (never failing for retries); ioredis re-subscribes
    // after a reconnect, and we resync caches then.
    this.subscriber = new Redis(options.url, { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null });
    const onError = options.onError ?? (() => {});
    this.onError = onError;
    this.client.on('error', onError);
    this.pipelined.on('error', onError);
    this.subscriber.on('error', onError);
    this.subscriber.on('ready', () => {
      if (this.subscriberReadyOnce) for (const handler of this.resyncHandlers) handler();
      this.subscriberReadyOnce = true;
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      const handlers = this.handlers.get(channel.slice(this.prefix.length));
      if (handlers) for (const handler of handlers) handler(message);
    });
  }

  /** Connects the command, pipelined and subscriber clients, waiting at most `timeoutMs`; a hub may start while Redis is down and report it. */
  async connect(timeoutMs: number): Promise<boolean> {
    const attempt = Promise.all([this.client.connect(), this.pipelined.connect(), this.subscriber.connect()]).then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    return Promise.race([attempt, timeout]);
  }

  async admit(command: AdmitCommand): Promise<AdmitResult> {
    const budgetKeys = command.budgets.map((budget) => this.key(budget.key));
    const keys = [
      ...budgetKeys,
      ...budgetKeys.map((key) => `${key}:res`),
      ...command.windows.map((window) => this.key(window.key)),
      // A fixed window names itself as its previous one, with weight 0: the script never reads it.
      ...command.windows.map((window) => this.key(window.previous?.key ?? window.key)),
      ...(command.concurrency ? [this.key(command.concurrency.key)] : []),
    ];
    const args: (string | number)[] = [
      command.now,
      command.reservationId,
      command.amount.toString(),
      command.leaseExpiresAt,
      command.budgets.length,
      command.windows.length,
      command.concurrency ? 1 : 0,
      ...command.budgets.flatMap((budget) => [budget.limit.toString(), budget.expiresAt ?? 0]),
      ...command.windows.flatMap((window) => [window.limit, window.amount, window.expiresAt, slidingWeight(window.previous?.weight)]),
      ...(command.concurrency ? [command.concurrency.limit] : []),
    ];
    const reply = await this.run(SCRIPTS.admit, keys, args);
    if (!Array.isArray(reply)) throw new Error(`unexpected admit reply: ${String(reply)}`);
    const [verdict, first, second, third, fourth] = reply;
    switch (verdict) {
      case 'ok':
        return { ok: true };
      case 'unseeded':
        return { ok: false, reason: 'unseeded', budgetIndex: Number(first) - 1 };
      case 'budget':
        return {
          ok: false,
          reason: 'budget',
          budgetIndex: Number(first) - 1,
          spent: BigInt(String(second)),
          reserved: BigInt(String(third)),
        };
      case 'window':
        return {
          ok: false,
          reason: 'window',
          windowIndex: Number(first) - 1,
          used: Number(second),
          current: Number(third),
          previous: Number(fourth),
        };
      case 'concurrency':
        return { ok: false, reason: 'concurrency', active: Number(first) };
      default:
        throw new Error(`unexpected admit verdict: ${String(verdict)}`);
    }
  }

  async settle(command: SettleCommand): Promise<void> {
    const budgetKeys = command.budgetKeys.map((key) => this.key(key));
    const keys = [
      ...budgetKeys,
      ...budgetKeys.map((key) => `${key}:res`),
      ...command.windowAdjustments.map((adjustment) => this.key(adjustment.key)),
      ...(command.concurrencyKey ? [this.key(command.concurrencyKey)] : []),
    ];
    const args: (string | number)[] = [
      command.reservationId,
      command.actual.toString(),
      budgetKeys.length,
      command.windowAdjustments.length,
      command.concurrencyKey ? 1 : 0,
      ...command.windowAdjustments.map((adjustment) => Math.round(adjustment.delta)),
    ];
    await this.run(SCRIPTS.settle, keys, args);
  }

  async seedBudget(key: string, spent: bigint, expiresAt: number | null): Promise<void> {
    await this.run(SCRIPTS.seed, [this.key(key)], [spent.toString(), expiresAt ?? 0]);
  }

  async readBudget(key: string, now: number): Promise<BudgetCounter | null> {
    const fullKey = this.key(key);
    const reply = await this.run(SCRIPTS.read, [fullKey, `${fullKey}:res`], [now]);
    if (!Array.isArray(reply) || reply.length < 2) return null;
    return { spent: BigInt(String(reply[0])), reserved: BigInt(String(reply[1])) };
  }

  async publish(channel: string, message: string): Promise<void> {
    try {
      await this.client.publish(this.key(channel), message);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    let handlers = this.handlers.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.handlers.set(channel, handlers);
      const subscribed = this.subscriber.subscribe(this.key(channel));
      // While Redis is away the subscription waits in the queue; startup must not wait with it.
      if (this.subscriber.status === 'ready') await subscribed;
      else subscribed.catch((error: Error) => this.onError(error));
    }
    handlers.add(handler);
    return async () => {
      const current = this.handlers.get(channel);
      current?.delete(handler);
      if (current && current.size === 0) {
        this.handlers.delete(channel);
        if (this.closed) return;
        const unsubscribed = this.subscriber.unsubscribe(this.key(channel)).catch(() => 0);
        if (this.subscriber.status === 'ready') await unsubscribed;
      }
    };
  }

  onResync(handler: () => void): void {
    this.resyncHandlers.add(handler);
  }

  invalidationsLive(): boolean {
    return this.subscriber.status === 'ready';
  }

  async health(): Promise<ClusterHealth> {
    for (const client of [this.client, this.pipelined])
      if (client.status !== 'ready') return { ok: false, detail: `redis ${client.status}` };
    try {
      await Promise.all([this.client.ping(), this.pipelined.ping()]);
    } catch (error) {
      return { ok: false, detail: `redis ping failed: ${(error as Error).message}` };
    }
    if (this.subscriber.status !== 'ready') return { ok: false, detail: `redis subscriber ${this.subscriber.status}` };
    return { ok: true, detail: 'redis ok' };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    this.resyncHandlers.clear();
    this.client.disconnect();
    this.pipelined.disconnect();
    this.subscriber.disconnect();
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** The direct connection while no command waits on Redis, else the pipelined one (measured in docs/benchmarks.md). */
  private commandClient(): Redis {
    const waiting = this.client.commandQueue.length + this.pipelined.commandQueue.length + this.pipelined.autoPipelineQueueSize;
    return waiting === 0 ? this.client : this.pipelined;
  }

  /** EVALSHA, loading the script on first use (or after Redis restarted and forgot it). */
  private async run(target: Script, keys: string[], args: (string | number)[]): Promise<RedisReply> {
    const client = this.commandClient();
    try {
      try {
        return (await client.evalsha(target.sha, keys.length, ...keys, ...args)) as RedisReply;
      } catch (error) {
        if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
        return (await client.eval(target.source, keys.length, ...keys, ...args)) as RedisReply;
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('ERR')) throw error;
      throw unavailable(error);
    }
  }
}

/** Creates the Redis state and waits (briefly) for its first connection. */
export async function createRedisClusterState(options: RedisClusterOptions): Promise<RedisClusterState> {
  const state = new RedisClusterState(options);
  await state.connect(options.connectTimeoutMs ?? 3_000);
  return state;
}
