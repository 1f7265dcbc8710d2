import { newId, type Picos, picos } from '../core/index.js';
import type { Database } from './database.js';
import { asBigInt, asDate } from './values.js';

export type BudgetScope = 'tenant' | 'project' | 'key';
export type BudgetPeriod = 'total' | 'day' | 'month';

export interface BudgetRecord {
  id: string;
  scope: BudgetScope;
  tenantId: string;
  projectId: string | null;
  keyId: string | null;
  limitPicos: Picos;
  period: BudgetPeriod;
  createdAt: Date;
}

export interface NewBudget {
  scope: BudgetScope;
  projectId?: string | null;
  keyId?: string | null;
  limitPicos: Picos;
  period: BudgetPeriod;
}

export interface BudgetFilter {
  scope?: BudgetScope;
  projectId?: string;
  keyId?: string;
}

interface BudgetRow {
  id: string;
  scope: BudgetScope;
  tenant_id: string;
  project_id: string | null;
  key_id: string | null;
  limit_picos: unknown;
  period: BudgetPeriod;
  created_at: unknown;
}

const COLUMNS = 'id, scope, tenant_id, project_id, key_id, limit_picos::text as limit_picos, period, created_at';

const toBudget = (row: BudgetRow): BudgetRecord => ({
  id: row.id,
  scope: row.scope,
  tenantId: row.tenant_id,
  projectId: row.project_id,
  keyId: row.key_id,
  limitPicos: picos(asBigInt(row.limit_picos)),
  period: row.period,
  createdAt: asDate(row.created_at),
});

/** One tenant's budgets; every query carries the tenant filter. */
export class BudgetsRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  async create(budget: NewBudget): Promise<BudgetRecord> {
    const rows = await this.db.query<BudgetRow>(
      `insert into budgets (id, scope, tenant_id, project_id, key_id, limit_picos, period)
       values ($1, $2, $3, $4, $5, $6::numeric, $7) returning ${COLUMNS}`,
      [
        newId('bud'),
        budget.scope,
        this.tenantId,
        budget.projectId ?? null,
        budget.keyId ?? null,
        budget.limitPicos.toString(),
        budget.period,
      ],
    );
    const row = rows[0];
    if (!row) throw new Error('insert into budgets returned no row');
    return toBudget(row);
  }

  async get(id: string): Promise<BudgetRecord | undefined> {
    const rows = await this.db.query<BudgetRow>(`select ${COLUMNS} from budgets where tenant_id = $1 and id = $2`, [this.tenantId, id]);
    return rows[0] ? toBudget(rows[0]) : undefined;
  }

  async list(filter: BudgetFilter = {}): Promise<BudgetRecord[]> {
    const rows = await this.db.query<BudgetRow>(
      `select ${COLUMNS} from budgets
       where tenant_id = $1 and ($2::text is null or scope = $2)
         and ($3::text is null or project_id = $3) and ($4::text is null or key_id = $4)
       order by created_at, id`,
      [this.tenantId, filter.scope ?? null, filter.projectId ?? null, filter.keyId ?? null],
    );
    return rows.map(toBudget);
  }

  /**
   * Every budget a request made with this key is charged to: its tenant's, its project's and the key's,
   * in that order (creation times can tie, so they do not decide it).
   */
  async forKey(keyId: string, projectId: string | null): Promise<BudgetRecord[]> {
    const rows = await this.db.query<BudgetRow>(
      `select ${COLUMNS} from budgets
       where tenant_id = $1
         and (scope = 'tenant' or (scope = 'project' and project_id = $2) or (scope = 'key' and key_id = $3))
       order by case scope when 'tenant' then 0 when 'project' then 1 else 2 end, created_at, id`,
      [this.tenantId, projectId, keyId],
    );
    return rows.map(toBudget);
  }

  async updateLimit(id: string, limitPicos: Picos): Promise<BudgetRecord | undefined> {
    const rows = await this.db.query<BudgetRow>(
      `update budgets set limit_picos = $3::numeric where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
      [this.tenantId, id, limitPicos.toString()],
    );
    return rows[0] ? toBudget(rows[0]) : undefined;
  }

  async delete(id: string): Promise<BudgetRecord | undefined> {
    const rows = await this.db.query<BudgetRow>(`delete from budgets where tenant_id = $1 and id = $2 returning ${COLUMNS}`, [
      this.tenantId,
      id,
    ]);
    return rows[0] ? toBudget(rows[0]) : undefined;
  }
}

/** Finds a budget's tenant from its id alone (admin requests name a budget, not its tenant). */
export async function findBudgetTenant(db: Database, budgetId: string): Promise<string | undefined> {
  const rows = await db.query<{ tenant_id: string }>('select tenant_id from budgets where id = $1', [budgetId]);
  return rows[0]?.tenant_id;
}
