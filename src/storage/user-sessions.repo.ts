import type { Database } from './database.js';
import { asDate, asOptionalDate } from './values.js';

export interface UserSessionRecord {
  id: string;
  tokenHash: string;
  csrfHash: string;
  userId: string;
  tenantId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

interface SessionRow {
  id: string;
  token_hash: string;
  csrf_hash: string;
  user_id: string;
  tenant_id: string;
  created_at: unknown;
  expires_at: unknown;
  revoked_at: unknown;
}

const COLUMNS = 'id, token_hash, csrf_hash, user_id, tenant_id, created_at, expires_at, revoked_at';

const toSession = (row: SessionRow): UserSessionRecord => ({
  id: row.id,
  tokenHash: row.token_hash,
  csrfHash: row.csrf_hash,
  userId: row.user_id,
  tenantId: row.tenant_id,
  createdAt: asDate(row.created_at),
  expiresAt: asDate(row.expires_at),
  revokedAt: asOptionalDate(row.revoked_at),
});

/** Login sessions, found by the hash of their cookie's token. */
export class UserSessionsRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async create(session: Omit<UserSessionRecord, 'revokedAt'>): Promise<UserSessionRecord> {
    const rows = await this.db.query<SessionRow>(
      `insert into user_sessions (id, token_hash, csrf_hash, user_id, tenant_id, created_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
      [session.id, session.tokenHash, session.csrfHash, session.userId, session.tenantId, session.createdAt, session.expiresAt],
    );
    const row = rows[0];
    if (!row) throw new Error('insert into user_sessions returned no row');
    return toSession(row);
  }

  /** The live session with this token hash (not revoked, not expired at `now`). */
  async live(tokenHash: string, now: Date): Promise<UserSessionRecord | undefined> {
    const rows = await this.db.query<SessionRow>(
      `select ${COLUMNS} from user_sessions where token_hash = $1 and revoked_at is null and expires_at > $2`,
      [tokenHash, now],
    );
    return rows[0] ? toSession(rows[0]) : undefined;
  }

  async revoke(tokenHash: string, now: Date): Promise<void> {
    await this.db.query('update user_sessions set revoked_at = coalesce(revoked_at, $2) where token_hash = $1', [tokenHash, now]);
  }

  async revokeForUser(userId: string, now: Date): Promise<void> {
    await this.db.query('update user_sessions set revoked_at = coalesce(revoked_at, $2) where user_id = $1', [userId, now]);
  }
}
