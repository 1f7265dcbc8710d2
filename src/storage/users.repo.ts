import type { Database } from './database.js';
import { asDate, asNumber, asOptionalDate } from './values.js';

export type UserRole = 'owner' | 'developer' | 'operator' | 'viewer';

export interface UserRecord {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: UserRole;
  /** The scrypt hash of the password (`scrypt$…`); null: the user signs in with personal keys only. */
  passwordHash: string | null;
  disabledAt: Date | null;
  failedLogins: number;
  failedLoginAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  passwordHash: string | null;
}

export interface UserPatch {
  name?: string;
  role?: UserRole;
  passwordHash?: string | null;
  disabled?: boolean;
}

interface UserRow {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string | null;
  disabled_at: unknown;
  failed_logins: unknown;
  failed_login_at: unknown;
  created_at: unknown;
  updated_at: unknown;
}

const COLUMNS = 'id, tenant_id, email, name, role, password_hash, disabled_at, failed_logins, failed_login_at, created_at, updated_at';

const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  email: row.email,
  name: row.name,
  role: row.role as UserRole,
  passwordHash: row.password_hash,
  disabledAt: asOptionalDate(row.disabled_at),
  failedLogins: asNumber(row.failed_logins),
  failedLoginAt: asOptionalDate(row.failed_login_at),
  createdAt: asDate(row.created_at),
  updatedAt: asDate(row.updated_at),
});

/** One tenant's people; every query carries the tenant filter. */
export class UsersRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  /** Undefined when the email is taken (by anyone: an email signs in one person across the hub). */
  async create(user: NewUser, now: Date): Promise<UserRecord | undefined> {
    const rows = await this.db.query<UserRow>(
      `insert into users (id, tenant_id, email, name, role, password_hash, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $7)
       on conflict do nothing
       returning ${COLUMNS}`,
      [user.id, this.tenantId, user.email, user.name, user.role, user.passwordHash, now],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const rows = await this.db.query<UserRow>(`select ${COLUMNS} from users where tenant_id = $1 and id = $2`, [this.tenantId, id]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async list(options: { role?: UserRole; includeDisabled?: boolean } = {}): Promise<UserRecord[]> {
    const rows = await this.db.query<UserRow>(
      `select ${COLUMNS} from users
       where tenant_id = $1 and ($2::text is null or role = $2) and ($3::boolean or disabled_at is null)
       order by created_at, id`,
      [this.tenantId, options.role ?? null, options.includeDisabled ?? true],
    );
    return rows.map(toUser);
  }

  async update(id: string, patch: UserPatch, now: Date): Promise<UserRecord | undefined> {
    const rows = await this.db.query<UserRow>(
      `update users set
         name = coalesce($3, name),
         role = coalesce($4, role),
         password_hash = case when $5::boolean then $6 else password_hash end,
         disabled_at = case when $7::boolean is null then disabled_at when $7 then coalesce(disabled_at, $8) else null end,
         updated_at = $8
       where tenant_id = $1 and id = $2
       returning ${COLUMNS}`,
      [
        this.tenantId,
        id,
        patch.name ?? null,
        patch.role ?? null,
        patch.passwordHash !== undefined,
        patch.passwordHash ?? null,
        patch.disabled ?? null,
        now,
      ],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /** How many enabled owners the tenant has (the last one may not be demoted or disabled). */
  async activeOwners(): Promise<number> {
    const rows = await this.db.query<{ count: unknown }>(
      `select count(*) as count from users where tenant_id = $1 and role = 'owner' and disabled_at is null`,
      [this.tenantId],
    );
    return asNumber(rows[0]?.count ?? 0);
  }
}

/** Lookups before the tenant is known: sign-in by email, and a session's or key's user by id. */
export class UserLookup {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async byEmail(email: string): Promise<UserRecord | undefined> {
    const rows = await this.db.query<UserRow>(`select ${COLUMNS} from users where lower(email) = lower($1)`, [email]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async byId(id: string): Promise<UserRecord | undefined> {
    const rows = await this.db.query<UserRow>(`select ${COLUMNS} from users where id = $1`, [id]);
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  /**
   * Counts a failed sign-in in a window of `windowMs`: the count restarts once the window has passed.
   * Returns the failures in the current window, this one included.
   */
  async recordFailedLogin(id: string, now: Date, windowMs: number): Promise<number> {
    const rows = await this.db.query<{ failed_logins: unknown }>(
      `update users set
         failed_logins = case when failed_login_at is null or failed_login_at < $2::timestamptz - ($3::double precision * interval '1 millisecond')
                           then 1 else failed_logins + 1 end,
         failed_login_at = case when failed_login_at is null or failed_login_at < $2::timestamptz - ($3::double precision * interval '1 millisecond')
                           then $2 else failed_login_at end
       where id = $1
       returning failed_logins`,
      [id, now, windowMs],
    );
    return asNumber(rows[0]?.failed_logins ?? 0);
  }

  async clearFailedLogins(id: string): Promise<void> {
    await this.db.query('update users set failed_logins = 0, failed_login_at = null where id = $1', [id]);
  }
}
