import type { Database, Queryable } from './database.js';
import { asDate } from './values.js';

/** A tool secret as stored: the value only in its sealed form. */
export interface ToolSecretRecord {
  tenantId: string;
  name: string;
  sealedValue: string;
  createdAt: Date;
  updatedAt: Date;
}

interface ToolSecretRow {
  tenant_id: string;
  name: string;
  sealed_value: string;
  created_at: unknown;
  updated_at: unknown;
}

const COLUMNS = 'tenant_id, name, sealed_value, created_at, updated_at';

const toRecord = (row: ToolSecretRow): ToolSecretRecord => ({
  tenantId: row.tenant_id,
  name: row.name,
  sealedValue: row.sealed_value,
  createdAt: asDate(row.created_at),
  updatedAt: asDate(row.updated_at),
});

/** One tenant's tool secrets; every query carries the tenant filter. */
export class ToolSecretsRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  /** Creates the secret or replaces its value (keeping `createdAt`). */
  async put(name: string, sealedValue: string): Promise<ToolSecretRecord> {
    const rows = await this.db.query<ToolSecretRow>(
      `insert into tool_secrets (tenant_id, name, sealed_value) values ($1, $2, $3)
       on conflict (tenant_id, name) do update set sealed_value = excluded.sealed_value, updated_at = now()
       returning ${COLUMNS}`,
      [this.tenantId, name, sealedValue],
    );
    const row = rows[0];
    if (!row) throw new Error('insert into tool_secrets returned no row');
    return toRecord(row);
  }

  async get(name: string): Promise<ToolSecretRecord | undefined> {
    const rows = await this.db.query<ToolSecretRow>(`select ${COLUMNS} from tool_secrets where tenant_id = $1 and name = $2`, [
      this.tenantId,
      name,
    ]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(): Promise<ToolSecretRecord[]> {
    const rows = await this.db.query<ToolSecretRow>(`select ${COLUMNS} from tool_secrets where tenant_id = $1 order by name`, [
      this.tenantId,
    ]);
    return rows.map(toRecord);
  }

  async delete(name: string): Promise<boolean> {
    const rows = await this.db.query<{ name: string }>('delete from tool_secrets where tenant_id = $1 and name = $2 returning name', [
      this.tenantId,
      name,
    ]);
    return rows.length > 0;
  }
}

/**
 * Re-seals every tenant's tool secrets in one transaction (key rotation), rows locked meanwhile; `reseal` gets each
 * sealed value and returns its replacement. Returns how many rows changed.
 */
export async function resealAllToolSecrets(
  db: Database,
  reseal: (secret: { tenantId: string; name: string; sealedValue: string }) => string,
): Promise<number> {
  return db.transaction(async (tx: Queryable) => {
    const rows = await tx.query<ToolSecretRow>(`select ${COLUMNS} from tool_secrets order by tenant_id, name for update`);
    let changed = 0;
    for (const row of rows) {
      const next = reseal({ tenantId: row.tenant_id, name: row.name, sealedValue: row.sealed_value });
      if (next === row.sealed_value) continue;
      await tx.query('update tool_secrets set sealed_value = $3, updated_at = now() where tenant_id = $1 and name = $2', [
        row.tenant_id,
        row.name,
        next,
      ]);
      changed++;
    }
    return changed;
  });
}
