import type { CreatedUser, CreateUserRequest, ListResponse, PersonalKey, UpdateUserRequest, User, UserRole } from '@contract';
import { api, apiBase } from '../../api/client';

export const ROLES: readonly UserRole[] = ['owner', 'developer', 'operator', 'viewer'];
/** The hub's password rule (`identity/passwords.ts`), shown as help; the hub checks it. */
export const PASSWORD_MIN_LENGTH = 10;

const isAdmin = () => apiBase() === '/admin/v1';

export const usersKey = (tenantId: string | null) => ['users', apiBase(), tenantId] as const;

/** `/admin/v1/users?tenant_id=` for the hub admin, `/v1/users` (the caller's tenant) for a person. */
export const listUsers = (tenantId: string | null) => api<ListResponse<User>>(`${apiBase()}/users`, { query: isAdmin() && tenantId ? { tenant_id: tenantId } : undefined });

export const createUser = (tenantId: string | null, request: CreateUserRequest) =>
  api<CreatedUser>(`${apiBase()}/users`, { method: 'POST', body: isAdmin() ? { tenant_id: tenantId, ...request } : request });

export const updateUser = (id: string, change: UpdateUserRequest) => api<User>(`${apiBase()}/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: change });

/** Personal keys are issued on the tenant route only (the admin API has no such route). */
export const issuePersonalKey = (id: string, name: string) =>
  api<PersonalKey>(`/v1/users/${encodeURIComponent(id)}/keys`, { method: 'POST', body: name ? { name } : {} });
