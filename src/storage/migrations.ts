/**
 * Versioned migrations, applied in order, each once, inside a transaction. Never edit a shipped
 * migration: add the next one. SQL must run on PostgreSQL 15 and PGlite alike.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'hub settings',
    sql: `
      create table hub_settings (
        key text primary key,
        value text not null,
        updated_at timestamptz not null default now()
      );
    `,
  },
];
