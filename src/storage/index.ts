/**
 * Storage: PGlite (embedded, default) and PostgreSQL behind one `Database` interface, versioned
 * migrations, and one repository per concern.
 */
export { type Database, type OpenDatabaseOptions, type Orm, type Queryable, openDatabase } from './database.js';
export { migrate } from './migrate.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export { SettingsRepository } from './settings.repo.js';
