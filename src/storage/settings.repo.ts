import type { Database } from './database.js';

/** Hub-wide key/value settings (e.g. the admin key's hash). */
export class SettingsRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async get(key: string): Promise<string | undefined> {
    const rows = await this.db.query<{ value: string }>('select value from hub_settings where key = $1', [key]);
    return rows[0]?.value;
  }

  /** Sets the value only if the key is absent; returns the value now stored. */
  async setIfAbsent(key: string, value: string): Promise<string> {
    const rows = await this.db.query<{ value: string }>(
      `insert into hub_settings (key, value) values ($1, $2)
       on conflict (key) do update set key = excluded.key
       returning value`,
      [key, value],
    );
    return rows[0]?.value ?? value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.query(
      `insert into hub_settings (key, value) values ($1, $2)
       on conflict (key) do update set value = excluded.value, updated_at = now()`,
      [key, value],
    );
  }
}
