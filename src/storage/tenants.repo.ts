import { newId } from '../core/index.js';
import type { Database } from './database.js';
import { asDate } from './values.js';

export interface TenantRecord {
  id: string;
  name: string;
  createdAt: Date;
}

interface TenantRow {
  id: string;
  name: string;
  created_at: unknown;
}

const toTenant = (row: TenantRow): TenantRecord => ({ id: row.id, name: row.name, createdAt: asDate(row.created_at) });

/** Tenants themselves: the one repository that is not bound to a tenant (only the admin reaches it). */
export class TenantsRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async create(name: string): Promise<TenantRecord> {
    const rows = await this.db.query<TenantRow>('insert into tenants (id, name) values ($1, $2) returning id, name, created_at', [
      newId('ten'),
      name,
    ]);
    const row = rows[0];
    if (!row) throw new Error('insert into tenants returned no row');
    return toTenant(row);
  }

  async get(id: string): Promise<TenantRecord | undefined> {
    const rows = await this.db.query<TenantRow>('select id, name, created_at from tenants where id = $1', [id]);
    return rows[0] ? toTenant(rows[0]) : undefined;
  }

  async list(): Promise<TenantRecord[]> {
    const rows = await this.db.query<TenantRow>('select id, name, created_at from tenants order by created_at, id');
    return rows.map(toTenant);
  }
}
