import type { Database, Queryable } from './database.js';
import { asDate, asJson } from './values.js';

/** A provider created through the admin API. `settings` is opaque here; the control plane validates it on load. */
export interface UpstreamProviderRecord {
  id: string;
  type: string;
  settings: unknown;
  headerNames: string[];
  /** The API key and headers, sealed by the secret box; null when the provider has neither. */
  sealedSecrets: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface UpstreamProviderValues {
  type: string;
  settings: unknown;
  headerNames: string[];
  sealedSecrets: string | null;
}

interface UpstreamProviderRow {
  id: string;
  type: string;
  settings: unknown;
  header_names: unknown;
  sealed_secrets: string | null;
  created_at: unknown;
  updated_at: unknown;
}

const COLUMNS = 'id, type, settings, header_names, sealed_secrets, created_at, updated_at';

function toRecord(row: UpstreamProviderRow): UpstreamProviderRecord {
  const names = asJson(row.header_names);
  return {
    id: row.id,
    type: row.type,
    settings: asJson(row.settings),
    headerNames: Array.isArray(names) ? names.map(String) : [],
    sealedSecrets: row.sealed_secrets,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

/** Admin-managed providers (hub-wide: only the admin key reaches them). */
export class UpstreamProvidersRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async list(): Promise<UpstreamProviderRecord[]> {
    const rows = await this.db.query<UpstreamProviderRow>(`select ${COLUMNS} from upstream_providers order by created_at, id`);
    return rows.map(toRecord);
  }

  async get(id: string): Promise<UpstreamProviderRecord | undefined> {
    const rows = await this.db.query<UpstreamProviderRow>(`select ${COLUMNS} from upstream_providers where id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Inserts the provider; undefined when the id is taken. */
  async create(id: string, values: UpstreamProviderValues): Promise<UpstreamProviderRecord | undefined> {
    const rows = await this.db.query<UpstreamProviderRow>(
      `insert into upstream_providers (id, type, settings, header_names, sealed_secrets)
       values ($1, $2, $3::jsonb, $4::jsonb, $5)
       on conflict (id) do nothing
       returning ${COLUMNS}`,
      [id, values.type, JSON.stringify(values.settings), JSON.stringify(values.headerNames), values.sealedSecrets],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async replace(id: string, values: UpstreamProviderValues): Promise<UpstreamProviderRecord | undefined> {
    const rows = await this.db.query<UpstreamProviderRow>(
      `update upstream_providers set type = $2, settings = $3::jsonb, header_names = $4::jsonb, sealed_secrets = $5, updated_at = now()
       where id = $1 returning ${COLUMNS}`,
      [id, values.type, JSON.stringify(values.settings), JSON.stringify(values.headerNames), values.sealedSecrets],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>('delete from upstream_providers where id = $1 returning id', [id]);
    return rows.length > 0;
  }

  /**
   * Re-seals every stored secret in one transaction (key rotation): `reseal` gets each sealed value
   * and returns its replacement. Rows are locked while this runs, so a concurrent update cannot be
   * overwritten by a stale re-seal. Returns how many rows changed.
   */
  async resealAll(reseal: (id: string, sealed: string) => string): Promise<number> {
    return this.db.transaction(async (tx: Queryable) => {
      const rows = await tx.query<{ id: string; sealed_secrets: string }>(
        'select id, sealed_secrets from upstream_providers where sealed_secrets is not null order by id for update',
      );
      let changed = 0;
      for (const row of rows) {
        const next = reseal(row.id, row.sealed_secrets);
        if (next === row.sealed_secrets) continue;
        await tx.query('update upstream_providers set sealed_secrets = $2, updated_at = now() where id = $1', [row.id, next]);
        changed++;
      }
      return changed;
    });
  }
}
