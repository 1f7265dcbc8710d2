import { lazy } from 'react';

/**
 * The console's pages: where each lives, the permission a person needs to see it, and whether the hub admin
 * (signed in with the admin key) sees it. The navigation and the router both read this one list.
 */
export interface PageEntry {
  id: string;
  path: string;
  /** Needed by a person; null: every signed-in person. */
  permission: string | null;
  /** Shown when signed in with the admin key (the admin API has this page's data). */
  admin: boolean;
  /** Shown to people (the tenant routes have this page's data). */
  person: boolean;
  component: React.LazyExoticComponent<() => React.JSX.Element>;
}

export const PAGES: readonly PageEntry[] = [
  { id: 'overview', path: 'overview', permission: 'usage:read', admin: true, person: true, component: lazy(() => import('../pages/overview/OverviewPage')) },
  { id: 'keys', path: 'keys', permission: 'keys:read', admin: true, person: true, component: lazy(() => import('../pages/keys/KeysPage')) },
  { id: 'tenants', path: 'tenants', permission: 'projects:read', admin: true, person: true, component: lazy(() => import('../pages/tenants/TenantsPage')) },
  { id: 'users', path: 'users', permission: 'users:read', admin: true, person: true, component: lazy(() => import('../pages/users/UsersPage')) },
  { id: 'providers', path: 'providers', permission: null, admin: true, person: false, component: lazy(() => import('../pages/providers/ProvidersPage')) },
  { id: 'playground', path: 'playground', permission: 'inference', admin: false, person: true, component: lazy(() => import('../pages/playground/PlaygroundPage')) },
  { id: 'requests', path: 'requests', permission: 'usage:read', admin: true, person: true, component: lazy(() => import('../pages/requests/RequestsPage')) },
  { id: 'agents', path: 'agents', permission: 'agents:read', admin: true, person: true, component: lazy(() => import('../pages/agents/AgentsPage')) },
  { id: 'workflows', path: 'workflows', permission: 'workflows:read', admin: true, person: true, component: lazy(() => import('../pages/workflows/WorkflowsPage')) },
  { id: 'runs', path: 'runs', permission: 'agents:read', admin: false, person: true, component: lazy(() => import('../pages/runs/RunsPage')) },
  { id: 'inbox', path: 'inbox', permission: 'inbox:read', admin: false, person: true, component: lazy(() => import('../pages/inbox/InboxPage')) },
  { id: 'labour', path: 'labour', permission: 'inbox:read', admin: true, person: true, component: lazy(() => import('../pages/labour/LabourPage')) },
  { id: 'audit', path: 'audit', permission: 'audit:read', admin: true, person: true, component: lazy(() => import('../pages/audit/AuditPage')) },
];

export function visiblePages(isAdmin: boolean, can: (permission: string) => boolean): PageEntry[] {
  return PAGES.filter((page) => (isAdmin ? page.admin : page.person && (page.permission === null || can(page.permission))));
}
