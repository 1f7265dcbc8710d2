import type { Database } from './database.js';
import { asDate, asJson } from './values.js';

/** A model name created through the admin API. `spec` is opaque here; the control plane validates it on load. */
export interface RoutedModelRecord {
  name: string;
  spec: unknown;
  createdAt: Date;
  updatedAt: Date;
}

interface RoutedModelRow {
  name: string;
  spec: unknown;
  created_at: unknown;
  updated_at: unknown;
}

const COLUMNS = 'name, spec, created_at, updated_at';

const toRecord = (row: RoutedModelRow): RoutedModelRecord => ({
  name: row.name,
  spec: asJson(row.spec),
  createdAt: asDate(row.created_at),
  updatedAt: asDate(row.updated_at),
});

/** Admin-managed model routes (hub-wide: only the admin key reaches them). */
export class RoutedModelsRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async list(): Promise<RoutedModelRecord[]> {
    const rows = await this.db.query<RoutedModelRow>(`select ${COLUMNS} from routed_models order by created_at, name`);
    return rows.map(toRecord);
  }

  async get(name: string): Promise<RoutedModelRecord | undefined> {
    const rows = await this.db.query<RoutedModelRow>(`select ${COLUMNS} from routed_models where name = $1`, [name]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Inserts the model; undefined when the name is taken. */
  async create(name: string, spec: unknown): Promise<RoutedModelRecord | undefined> {
    const rows = await this.db.query<RoutedModelRow>(
      `insert into routed_models (name, spec) values ($1, $2::jsonb) on conflict (name) do nothing returning ${COLUMNS}`,
      [name, JSON.stringify(spec)],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async replace(name: string, spec: unknown): Promise<RoutedModelRecord | undefined> {
    const rows = await this.db.query<RoutedModelRow>(
      `update routed_models set spec = $2::jsonb, updated_at = now() where name = $1 returning ${COLUMNS}`,
      [name, JSON.stringify(spec)],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async delete(name: string): Promise<boolean> {
    const rows = await this.db.query<{ name: string }>('delete from routed_models where name = $1 returning name', [name]);
    return rows.length > 0;
  }
}
