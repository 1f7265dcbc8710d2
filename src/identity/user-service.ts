import { type Clock, HubError, newId, systemClock } from '../core/index.js';
import type { CreatedKey, Economy } from '../economy/index.js';
import { type Database, type UserRecord, type UserRole, UserSessionsRepository, UsersRepository } from '../storage/index.js';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.js';
import { keyScopesForRole } from './roles.js';

export const userNotFound = (id: string): HubError =>
  new HubError('NOT_FOUND', `No user \`${id}\`.`, { code: 'user_not_found', param: 'id' });

export interface NewUserRequest {
  tenantId: string;
  email: string;
  name: string;
  role: UserRole;
  password?: string;
}

export interface UserChange {
  role?: UserRole;
  name?: string;
  password?: string;
  disabled?: boolean;
}

/** A user as the API shows them: never the password or its hash. */
export const userDto = (user: UserRecord) => ({
  id: user.id,
  object: 'user' as const,
  tenant_id: user.tenantId,
  email: user.email,
  name: user.name,
  role: user.role,
  has_password: user.passwordHash !== null,
  disabled: user.disabledAt !== null,
  ...(user.disabledAt ? { disabled_at: user.disabledAt.toISOString() } : {}),
  created_at: user.createdAt.toISOString(),
  updated_at: user.updatedAt.toISOString(),
});
export type UserDto = ReturnType<typeof userDto>;

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new HubError('INVALID_REQUEST', `Invalid password: between ${PASSWORD_MIN_LENGTH} and ${PASSWORD_MAX_LENGTH} characters.`, {
      param: 'password',
    });
  }
}

/**
 * People of a tenant: created with a first personal key (shown once), listed, given another role or
 * disabled. A personal key's scopes follow the role; disabling revokes the keys and ends the sessions, so
 * the person is out on every replica within the key cache's invalidation bound.
 */
export class UserService {
  private readonly db: Database;
  private readonly economy: Economy;
  private readonly clock: Clock;

  constructor(options: { db: Database; economy: Economy; clock?: Clock }) {
    this.db = options.db;
    this.economy = options.economy;
    this.clock = options.clock ?? systemClock;
  }

  async create(request: NewUserRequest): Promise<{ user: UserRecord; key: CreatedKey }> {
    await this.economy.tenancy.requireTenant(request.tenantId);
    if (request.password !== undefined) checkPassword(request.password);
    const passwordHash = request.password !== undefined ? await hashPassword(request.password) : null;
    const user = await new UsersRepository(this.db, request.tenantId).create(
      { id: newId('usr'), email: request.email, name: request.name, role: request.role, passwordHash },
      this.now(),
    );
    if (!user) {
      throw new HubError('CONFLICT', `A user with the email \`${request.email}\` exists already.`, { code: 'user_exists', param: 'email' });
    }
    const key = await this.createKey(user, 'first personal key');
    return { user, key };
  }

  list(tenantId: string, options: { role?: UserRole } = {}): Promise<UserRecord[]> {
    return new UsersRepository(this.db, tenantId).list(options);
  }

  async get(tenantId: string, id: string): Promise<UserRecord> {
    const user = await new UsersRepository(this.db, tenantId).get(id);
    if (!user) throw userNotFound(id);
    return user;
  }

  async update(tenantId: string, id: string, change: UserChange): Promise<UserRecord> {
    const users = new UsersRepository(this.db, tenantId);
    const before = await this.get(tenantId, id);
    const losesOwner =
      before.role === 'owner' && before.disabledAt === null && ((change.role && change.role !== 'owner') || change.disabled);
    if (losesOwner && (await users.activeOwners()) <= 1) {
      throw new HubError('CONFLICT', 'A tenant keeps at least one enabled owner: make another user owner first.', { code: 'last_owner' });
    }
    if (change.password !== undefined) checkPassword(change.password);
    const updated = await users.update(
      id,
      {
        ...(change.role ? { role: change.role } : {}),
        ...(change.name ? { name: change.name } : {}),
        ...(change.password !== undefined ? { passwordHash: await hashPassword(change.password) } : {}),
        ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      },
      this.now(),
    );
    if (!updated) throw userNotFound(id);
    if (change.role && change.role !== before.role) {
      await this.economy.keys.setUserScopes(tenantId, id, keyScopesForRole(change.role));
    }
    if (change.disabled && before.disabledAt === null) {
      await this.economy.keys.revokeForUser(tenantId, id);
      await new UserSessionsRepository(this.db).revokeForUser(id, this.now());
    }
    if (change.password !== undefined) await new UserSessionsRepository(this.db).revokeForUser(id, this.now());
    return updated;
  }

  /** Another personal key of an enabled user; its scopes follow their role. */
  async addKey(tenantId: string, id: string, name?: string): Promise<CreatedKey> {
    const user = await this.get(tenantId, id);
    if (user.disabledAt) throw new HubError('CONFLICT', `User \`${id}\` is disabled.`, { code: 'user_disabled' });
    return this.createKey(user, name ?? null);
  }

  private createKey(user: UserRecord, name: string | null): Promise<CreatedKey> {
    return this.economy.keys.create({
      tenantId: user.tenantId,
      name: name ?? `personal key of ${user.email}`,
      scopes: keyScopesForRole(user.role),
      userId: user.id,
    });
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
