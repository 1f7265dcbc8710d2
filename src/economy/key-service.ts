import type { ClusterState } from '../cluster/index.js';
import type { Picos } from '../core/index.js';
import { type Clock, newId } from '../core/index.js';
import {
  ApiKeyLookup,
  type ApiKeyPatch,
  type ApiKeyRecord,
  ApiKeysRepository,
  type BudgetPeriod,
  type BudgetRecord,
  BudgetsRepository,
  type Database,
  type KeyRateLimits,
  TenantsRepository,
} from '../storage/index.js';
import { hashSecret } from './admin-key.js';
import { encodeInvalidation, INVALIDATION_CHANNEL, type Invalidation } from './invalidation.js';
import type { KeyCache } from './key-cache.js';
import type { EconomyLogger } from './logger.js';
import { DEFAULT_KEY_SCOPES, type KeyScope } from './scopes.js';
import { notFound, type TenancyService } from './tenancy-service.js';
import { generateVirtualKey } from './virtual-key.js';

export interface NewKeyRequest {
  tenantId: string;
  projectId?: string | null;
  name?: string | null;
  models?: string[] | null;
  rateLimits?: KeyRateLimits;
  /** Default: `['inference']`. */
  scopes?: readonly KeyScope[];
  budget?: { limitPicos: Picos; period: BudgetPeriod };
  /** A personal key of this user (the identity layer sets its scopes from the user's role). */
  userId?: string | null;
}

export interface CreatedKey {
  record: ApiKeyRecord;
  /** The secret, shown this once. */
  secret: string;
  budget: BudgetRecord | null;
}

/**
 * Publishes an invalidation cluster-wide and applies it locally at once. A failed publish (Redis
 * down) is logged, not thrown: the change is in the database, admissions fail closed while Redis
 * is away, and every replica drops its whole key cache when its subscription comes back.
 */
export class Invalidator {
  private readonly cluster: ClusterState;
  private readonly cache: KeyCache;
  private readonly logger: EconomyLogger;

  constructor(cluster: ClusterState, cache: KeyCache, logger: EconomyLogger) {
    this.cluster = cluster;
    this.cache = cache;
    this.logger = logger;
  }

  async publish(invalidation: Invalidation): Promise<void> {
    if (invalidation.type === 'key') this.cache.invalidateKey(invalidation.keyId);
    else this.cache.invalidateTenant(invalidation.tenantId);
    try {
      await this.cluster.publish(INVALIDATION_CHANNEL, encodeInvalidation(invalidation));
    } catch (error) {
      this.logger.warn({ err: error, invalidation }, 'invalidation could not be published; replicas resync on reconnect');
    }
  }
}

/** Virtual keys: created with a secret shown once, listed, changed and revoked with cluster-wide invalidation. */
export class KeyService {
  private readonly db: Database;
  private readonly tenancy: TenancyService;
  private readonly invalidator: Invalidator;
  private readonly clock: Clock;

  constructor(options: { db: Database; tenancy: TenancyService; invalidator: Invalidator; clock: Clock }) {
    this.db = options.db;
    this.tenancy = options.tenancy;
    this.invalidator = options.invalidator;
    this.clock = options.clock;
  }

  async create(request: NewKeyRequest): Promise<CreatedKey> {
    await this.tenancy.requireTenant(request.tenantId);
    if (request.projectId) await this.tenancy.requireProject(request.tenantId, request.projectId);
    const { secret, displayPrefix } = generateVirtualKey();
    const keys = new ApiKeysRepository(this.db, request.tenantId);
    const record = await keys.create({
      id: newId('key'),
      projectId: request.projectId ?? null,
      name: request.name ?? null,
      keyHash: hashSecret(secret),
      keyPrefix: displayPrefix,
      models: request.models ?? null,
      rateLimits: request.rateLimits ?? {},
      scopes: [...(request.scopes ?? DEFAULT_KEY_SCOPES)],
      userId: request.userId ?? null,
    });
    let budget: BudgetRecord | null = null;
    if (request.budget) {
      try {
        budget = await new BudgetsRepository(this.db, request.tenantId).create({
          scope: 'key',
          projectId: record.projectId,
          keyId: record.id,
          limitPicos: request.budget.limitPicos,
          period: request.budget.period,
        });
      } catch (error) {
        // Never leave a key without the budget it was created to have; nobody has seen its secret yet.
        await keys.revoke(record.id, new Date(this.clock.now()));
        throw error;
      }
    }
    return { record, secret, budget };
  }

  async list(options: { tenantId?: string; projectId?: string }): Promise<ApiKeyRecord[]> {
    if (options.tenantId) {
      await this.tenancy.requireTenant(options.tenantId);
      return new ApiKeysRepository(this.db, options.tenantId).list(options.projectId ? { projectId: options.projectId } : {});
    }
    const all: ApiKeyRecord[] = [];
    for (const tenant of await new TenantsRepository(this.db).list()) {
      all.push(...(await new ApiKeysRepository(this.db, tenant.id).list(options.projectId ? { projectId: options.projectId } : {})));
    }
    return all;
  }

  /** The key by id, or 404. With `tenantId`, a key of another tenant is a 404 too. */
  async get(keyId: string, tenantId?: string): Promise<ApiKeyRecord> {
    const record = await new ApiKeyLookup(this.db).byId(keyId);
    if (!record || (tenantId !== undefined && record.tenantId !== tenantId)) throw notFound('key', keyId, 'id');
    return record;
  }

  async update(keyId: string, patch: ApiKeyPatch): Promise<ApiKeyRecord> {
    const existing = await this.get(keyId);
    const updated = await new ApiKeysRepository(this.db, existing.tenantId).update(keyId, patch);
    if (!updated) throw notFound('key', keyId, 'id');
    await this.invalidator.publish({ type: 'key', keyId });
    return updated;
  }

  /** Gives every personal key of a user these scopes (their role changed), invalidated cluster-wide. */
  async setUserScopes(tenantId: string, userId: string, scopes: readonly KeyScope[]): Promise<void> {
    const changed = await new ApiKeysRepository(this.db, tenantId).setUserScopes(userId, scopes);
    for (const key of changed) await this.invalidator.publish({ type: 'key', keyId: key.id });
  }

  /** Revokes every personal key of a user (they were disabled), invalidated cluster-wide. */
  async revokeForUser(tenantId: string, userId: string): Promise<void> {
    const revoked = await new ApiKeysRepository(this.db, tenantId).revokeForUser(userId, new Date(this.clock.now()));
    for (const key of revoked) await this.invalidator.publish({ type: 'key', keyId: key.id });
  }

  async revoke(keyId: string): Promise<ApiKeyRecord> {
    const existing = await this.get(keyId);
    const revoked = await new ApiKeysRepository(this.db, existing.tenantId).revoke(keyId, new Date(this.clock.now()));
    if (!revoked) throw notFound('key', keyId, 'id');
    await this.invalidator.publish({ type: 'key', keyId });
    return revoked;
  }
}
