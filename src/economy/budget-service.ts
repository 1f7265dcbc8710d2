import { HubError, type Picos } from '../core/index.js';
import {
  type BudgetPeriod,
  type BudgetRecord,
  type BudgetScope,
  BudgetsRepository,
  type Database,
  findBudgetTenant,
} from '../storage/index.js';
import type { BudgetCounters, BudgetStatus } from './budget-counters.js';
import type { Invalidator, KeyService } from './key-service.js';
import { notFound, type TenancyService } from './tenancy-service.js';

export interface NewBudgetRequest {
  scope: BudgetScope;
  tenantId?: string;
  projectId?: string;
  keyId?: string;
  limitPicos: Picos;
  period: BudgetPeriod;
}

export interface BudgetQuery {
  tenantId?: string;
  projectId?: string;
  keyId?: string;
  scope?: BudgetScope;
}

/** Budgets for tenants, projects and keys; every change drops the tenant's cached keys cluster-wide. */
export class BudgetService {
  private readonly db: Database;
  private readonly tenancy: TenancyService;
  private readonly keys: KeyService;
  private readonly counters: BudgetCounters;
  private readonly invalidator: Invalidator;

  constructor(options: { db: Database; tenancy: TenancyService; keys: KeyService; counters: BudgetCounters; invalidator: Invalidator }) {
    this.db = options.db;
    this.tenancy = options.tenancy;
    this.keys = options.keys;
    this.counters = options.counters;
    this.invalidator = options.invalidator;
  }

  async create(request: NewBudgetRequest): Promise<BudgetRecord> {
    const target = await this.resolveTarget(request.scope, request);
    const budget = await new BudgetsRepository(this.db, target.tenantId).create({
      scope: request.scope,
      projectId: target.projectId,
      keyId: target.keyId,
      limitPicos: request.limitPicos,
      period: request.period,
    });
    await this.invalidator.publish({ type: 'tenant', tenantId: target.tenantId });
    return budget;
  }

  /** Budgets matching the query with their current period's spend; a tenant id confines the answer to that tenant. */
  async list(query: BudgetQuery): Promise<BudgetStatus[]> {
    let tenantId = query.tenantId;
    if (!tenantId && query.keyId) tenantId = (await this.keys.get(query.keyId)).tenantId;
    if (!tenantId && query.projectId) {
      throw new HubError('INVALID_REQUEST', 'tenant_id is required to list budgets by project.', { param: 'tenant_id' });
    }
    if (!tenantId) throw new HubError('INVALID_REQUEST', 'tenant_id (or key_id) is required.', { param: 'tenant_id' });
    await this.tenancy.requireTenant(tenantId);
    const budgets = await new BudgetsRepository(this.db, tenantId).list({
      ...(query.scope ? { scope: query.scope } : {}),
      ...(query.projectId ? { projectId: query.projectId } : {}),
      ...(query.keyId ? { keyId: query.keyId } : {}),
    });
    return Promise.all(budgets.map((budget) => this.counters.status(budget)));
  }

  /** Every budget a key's requests are charged to, with its current period's spend. */
  async forKey(tenantId: string, keyId: string, projectId: string | null): Promise<BudgetStatus[]> {
    const budgets = await new BudgetsRepository(this.db, tenantId).forKey(keyId, projectId);
    return Promise.all(budgets.map((budget) => this.counters.status(budget)));
  }

  async get(budgetId: string): Promise<BudgetStatus> {
    return this.counters.status(await this.find(budgetId));
  }

  async updateLimit(budgetId: string, limitPicos: Picos): Promise<BudgetStatus> {
    const existing = await this.find(budgetId);
    const updated = await new BudgetsRepository(this.db, existing.tenantId).updateLimit(budgetId, limitPicos);
    if (!updated) throw notFound('budget', budgetId, 'id');
    await this.invalidator.publish({ type: 'tenant', tenantId: existing.tenantId });
    return this.counters.status(updated);
  }

  async delete(budgetId: string): Promise<BudgetRecord> {
    const existing = await this.find(budgetId);
    const deleted = await new BudgetsRepository(this.db, existing.tenantId).delete(budgetId);
    if (!deleted) throw notFound('budget', budgetId, 'id');
    await this.invalidator.publish({ type: 'tenant', tenantId: existing.tenantId });
    return deleted;
  }

  private async find(budgetId: string): Promise<BudgetRecord> {
    const tenantId = await findBudgetTenant(this.db, budgetId);
    const budget = tenantId ? await new BudgetsRepository(this.db, tenantId).get(budgetId) : undefined;
    if (!budget) throw notFound('budget', budgetId, 'id');
    return budget;
  }

  /** The tenant and ids the budget attaches to; ids that disagree with a given tenant are 404s. */
  private async resolveTarget(
    scope: BudgetScope,
    request: NewBudgetRequest,
  ): Promise<{ tenantId: string; projectId: string | null; keyId: string | null }> {
    switch (scope) {
      case 'tenant': {
        if (!request.tenantId) throw new HubError('INVALID_REQUEST', 'tenant_id is required for a tenant budget.', { param: 'tenant_id' });
        await this.tenancy.requireTenant(request.tenantId);
        return { tenantId: request.tenantId, projectId: null, keyId: null };
      }
      case 'project': {
        if (!request.projectId)
          throw new HubError('INVALID_REQUEST', 'project_id is required for a project budget.', { param: 'project_id' });
        if (!request.tenantId) throw new HubError('INVALID_REQUEST', 'tenant_id is required for a project budget.', { param: 'tenant_id' });
        await this.tenancy.requireTenant(request.tenantId);
        await this.tenancy.requireProject(request.tenantId, request.projectId);
        return { tenantId: request.tenantId, projectId: request.projectId, keyId: null };
      }
      case 'key': {
        if (!request.keyId) throw new HubError('INVALID_REQUEST', 'key_id is required for a key budget.', { param: 'key_id' });
        const key = await this.keys.get(request.keyId, request.tenantId);
        return { tenantId: key.tenantId, projectId: key.projectId, keyId: key.id };
      }
    }
  }
}
