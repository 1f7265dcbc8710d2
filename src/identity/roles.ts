import type { KeyScope } from '../economy/index.js';
import type { UserRole } from '../storage/index.js';

export const ROLES = ['owner', 'developer', 'operator', 'viewer'] as const satisfies readonly UserRole[];
export type Role = UserRole;

/** What a caller may do on the tenant routes; `route-permissions.ts` names the one each route needs. */
export const PERMISSIONS = [
  'inference',
  'agents:read',
  'agents:write',
  'agents:run',
  'workflows:read',
  'workflows:write',
  'threads:read',
  'tool_secrets:write',
  'keys:write',
  'keys:read',
  'service_keys:write',
  'projects:read',
  'projects:write',
  'budgets:write',
  'audit:read',
  'users:read',
  'users:write',
  'inbox:read',
  'inbox:work',
  'webhooks:read',
  'webhooks:write',
  'usage:read',
  'apps:read',
  'apps:write',
  'sandboxes:use',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * The one role → permission table. Owners: all of their tenant (projects, budgets, the audit log). Developers:
 * agents, workflows, tools, service keys and the models. Operators: the inbox (and the conversations,
 * agents and workflows it needs) and their own personal keys. Viewers: read-only. `keys:write` is personal keys only;
 * `service_keys:write` creates and revokes the tenant's keys that belong to no person.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = Object.freeze({
  owner: PERMISSIONS,
  developer: [
    'inference',
    'agents:read',
    'agents:write',
    'agents:run',
    'workflows:read',
    'workflows:write',
    'threads:read',
    'tool_secrets:write',
    'keys:write',
    'keys:read',
    'service_keys:write',
    'projects:read',
    'users:read',
    'inbox:read',
    'webhooks:read',
    'usage:read',
    'apps:read',
    'apps:write',
    'sandboxes:use',
  ],
  operator: [
    'agents:read',
    'workflows:read',
    'threads:read',
    'keys:write',
    'keys:read',
    'projects:read',
    'users:read',
    'inbox:read',
    'inbox:work',
    'apps:read',
  ],
  viewer: [
    'agents:read',
    'workflows:read',
    'threads:read',
    'keys:read',
    'projects:read',
    'users:read',
    'inbox:read',
    'webhooks:read',
    'usage:read',
    'apps:read',
  ],
});

/** What a service key (one that belongs to no person) may do, from its scopes. The inbox is worked by people only. */
export const SCOPE_PERMISSIONS: Readonly<Record<KeyScope, readonly Permission[]>> = Object.freeze({
  inference: ['inference', 'usage:read'],
  'agents:write': ['agents:read', 'agents:write', 'tool_secrets:write', 'workflows:read', 'workflows:write'],
  'agents:run': ['agents:read', 'agents:run', 'threads:read', 'workflows:read'],
  sandboxes: ['sandboxes:use'],
});

export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

export function rolePermits(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function scopesPermit(scopes: readonly string[], permission: Permission): boolean {
  return scopes.some((scope) => (SCOPE_PERMISSIONS[scope as KeyScope] ?? []).includes(permission));
}

/**
 * The scopes a personal key carries: the gate checks `inference` on the model APIs itself (the hot path
 * reads no user), so a role's key has it exactly when the role may call models.
 */
export function keyScopesForRole(role: Role): KeyScope[] {
  return rolePermits(role, 'inference') ? ['inference'] : [];
}
