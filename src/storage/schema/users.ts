/**
 * People of a tenant. An email signs in one person across the hub (unique, case-insensitive); the role
 * says what they may do (see identity/roles.ts). A disabled user keeps their rows (the audit log names
 * them) but signs in no more and their personal keys are revoked. `failed_logins` counts failures since
 * `failed_login_at` for the per-account login limit, which therefore holds across replicas.
 */
export const USERS_DDL = `
  create table users (
    id text primary key,
    tenant_id text not null references tenants (id),
    email text not null,
    name text not null,
    role text not null check (role in ('owner', 'developer', 'operator', 'viewer')),
    password_hash text,
    disabled_at timestamptz,
    failed_logins integer not null default 0,
    failed_login_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null
  );
  create unique index users_email_idx on users (lower(email));
  create index users_tenant_idx on users (tenant_id, created_at);
`;

/** A personal key belongs to a user; its scopes follow the user's role. */
export const API_KEYS_USER_DDL = `
  alter table api_keys add column user_id text references users (id);
  create index api_keys_user_idx on api_keys (user_id) where user_id is not null;
`;

/**
 * Login sessions: only hashes of the cookie's token and of the CSRF token are stored, so a database
 * dump signs nobody in. A session ends at `expires_at`, on logout, or when its user is disabled.
 */
export const USER_SESSIONS_DDL = `
  create table user_sessions (
    id text primary key,
    token_hash text not null unique,
    csrf_hash text not null,
    user_id text not null references users (id),
    tenant_id text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    revoked_at timestamptz
  );
  create index user_sessions_user_idx on user_sessions (user_id);
`;
