import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Clock, HubError, newId, systemClock } from '../core/index.js';
import { type Database, UserLookup, type UserRecord, type UserSessionRecord, UserSessionsRepository } from '../storage/index.js';
import { decoyHash, PASSWORD_MAX_LENGTH, verifyPassword } from './passwords.js';

export const SESSION_COOKIE = 'tokenhub_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionOptions {
  /** How long a session lasts from sign-in (default 12 h). */
  ttlMs?: number;
  /** Failed sign-ins of one account allowed per window before it is refused for the rest of it (default 5 per 15 min). */
  maxFailures?: number;
  failureWindowMs?: number;
  /** Sign-in attempts per client address per minute on this replica (default 20). */
  perAddressPerMinute?: number;
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
const secret = (): string => randomBytes(32).toString('base64url');

const invalidCredentials = (): HubError => new HubError('UNAUTHENTICATED', 'Invalid email or password.', { code: 'invalid_credentials' });

const tooMany = (retryAfterSeconds: number): HubError =>
  new HubError('RATE_LIMITED', 'Too many sign-in attempts; try again later.', { code: 'login_rate_limited', retryAfterSeconds });

export interface StartedSession {
  user: UserRecord;
  /** The cookie's value, shown once. */
  token: string;
  /** Sent back in `x-csrf-token` on every cookie-authenticated write. */
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Email + password sign-in to an HttpOnly cookie session. Only hashes of the session token and its CSRF
 * token are stored. Sign-in is limited per account (in the database, so across replicas) and per client
 * address (on this replica); an unknown email costs as long as a wrong password.
 */
export class SessionService {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly maxFailures: number;
  private readonly failureWindowMs: number;
  private readonly perAddressPerMinute: number;
  private readonly attemptsByAddress = new Map<string, { minute: number; count: number }>();

  constructor(options: { db: Database; clock?: Clock } & SessionOptions) {
    this.db = options.db;
    this.clock = options.clock ?? systemClock;
    this.ttlMs = options.ttlMs ?? 12 * 3_600_000;
    this.maxFailures = options.maxFailures ?? 5;
    this.failureWindowMs = options.failureWindowMs ?? 15 * 60_000;
    this.perAddressPerMinute = options.perAddressPerMinute ?? 20;
  }

  get sessionTtlMs(): number {
    return this.ttlMs;
  }

  async login(credentials: { email: string; password: string }, address: string): Promise<StartedSession> {
    this.countAddress(address);
    const lookup = new UserLookup(this.db);
    const user = await lookup.byEmail(credentials.email);
    const now = new Date(this.clock.now());
    if (
      user &&
      user.failedLogins >= this.maxFailures &&
      user.failedLoginAt &&
      now.getTime() - user.failedLoginAt.getTime() < this.failureWindowMs
    ) {
      throw tooMany(Math.ceil((user.failedLoginAt.getTime() + this.failureWindowMs - now.getTime()) / 1000));
    }
    const password = credentials.password.slice(0, PASSWORD_MAX_LENGTH);
    const matches = user?.passwordHash
      ? await verifyPassword(password, user.passwordHash)
      : (await verifyPassword(password, await decoyHash()), false);
    if (!user || !matches || user.disabledAt) {
      if (user) await lookup.recordFailedLogin(user.id, now, this.failureWindowMs);
      throw invalidCredentials();
    }
    if (user.failedLogins > 0) await lookup.clearFailedLogins(user.id);
    return this.start(user, now);
  }

  /** A session for a person the caller has already authenticated (single sign-on); refused for a disabled one. */
  async startFor(user: UserRecord): Promise<StartedSession> {
    if (user.disabledAt) throw new HubError('UNAUTHENTICATED', 'This user is disabled.', { code: 'user_disabled' });
    return this.start(user, new Date(this.clock.now()));
  }

  private async start(user: UserRecord, now: Date): Promise<StartedSession> {
    const token = secret();
    const csrfToken = secret();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    await new UserSessionsRepository(this.db).create({
      id: newId('ses'),
      tokenHash: sha256(token),
      csrfHash: sha256(csrfToken),
      userId: user.id,
      tenantId: user.tenantId,
      createdAt: now,
      expiresAt,
    });
    return { user, token, csrfToken, expiresAt };
  }

  async logout(token: string): Promise<void> {
    await new UserSessionsRepository(this.db).revoke(sha256(token), new Date(this.clock.now()));
  }

  /** The live session of a cookie's token, or undefined. */
  session(token: string): Promise<UserSessionRecord | undefined> {
    return new UserSessionsRepository(this.db).live(sha256(token), new Date(this.clock.now()));
  }

  /** Whether `given` is the session's CSRF token (constant-time). */
  csrfMatches(session: UserSessionRecord, given: string | undefined): boolean {
    if (!given) return false;
    const expected = Buffer.from(session.csrfHash, 'hex');
    const actual = Buffer.from(sha256(given), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  private countAddress(address: string): void {
    const minute = Math.floor(this.clock.now() / 60_000);
    const entry = this.attemptsByAddress.get(address);
    if (!entry || entry.minute !== minute) {
      if (this.attemptsByAddress.size > 10_000) this.attemptsByAddress.clear();
      this.attemptsByAddress.set(address, { minute, count: 1 });
      return;
    }
    entry.count += 1;
    if (entry.count > this.perAddressPerMinute) throw tooMany(60 - Math.floor((this.clock.now() % 60_000) / 1000));
  }
}
