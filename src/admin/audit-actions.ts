import type { Economy } from '../economy/index.js';
import { budgetDto, keyDto } from './dto.js';
import type { UpstreamControl } from './upstreams/upstream-control.js';

/** What `loadBefore` reads from. */
export interface AuditContext {
  economy: Economy;
  upstreams?: UpstreamControl | undefined;
}

/** What an audited route does, and how to read the entity it is about to change. */
export interface AuditedRoute {
  action: string;
  targetType: string;
  /** Reads the target as this API renders it, before the handler changes it. */
  loadBefore?: (context: AuditContext, id: string) => Promise<unknown>;
}

const loadKey = async ({ economy }: AuditContext, id: string): Promise<unknown> => keyDto(await economy.keys.get(id));
const loadBudget = async ({ economy }: AuditContext, id: string): Promise<unknown> => budgetDto(await economy.budgets.get(id));
/** A missing target is not an error here: the handler answers 404 and the row records it. */
const orNull = (read: () => unknown): Promise<unknown> => {
  try {
    return Promise.resolve(read() ?? null);
  } catch {
    return Promise.resolve(null);
  }
};
const loadProvider = ({ upstreams }: AuditContext, id: string): Promise<unknown> => orNull(() => upstreams?.providers.get(id));
const loadModel = ({ upstreams }: AuditContext, name: string): Promise<unknown> => orNull(() => upstreams?.models.get(name));

/** Every mutating admin route by `METHOD /route/pattern`; one missing here is still audited, under a derived name. */
export const AUDITED_ROUTES: Readonly<Record<string, AuditedRoute>> = {
  'POST /admin/v1/tenants': { action: 'tenant.create', targetType: 'tenant' },
  'POST /admin/v1/projects': { action: 'project.create', targetType: 'project' },
  'POST /admin/v1/keys': { action: 'key.create', targetType: 'key' },
  'PATCH /admin/v1/keys/:id': { action: 'key.update', targetType: 'key', loadBefore: loadKey },
  'DELETE /admin/v1/keys/:id': { action: 'key.revoke', targetType: 'key', loadBefore: loadKey },
  'PUT /admin/v1/keys/:id/body-logging': { action: 'key.body_logging', targetType: 'key' },
  'DELETE /admin/v1/keys/:id/body-logging': { action: 'key.body_logging_clear', targetType: 'key' },
  'PUT /admin/v1/projects/:id/body-logging': { action: 'project.body_logging', targetType: 'project' },
  'DELETE /admin/v1/projects/:id/body-logging': { action: 'project.body_logging_clear', targetType: 'project' },
  'POST /admin/v1/budgets': { action: 'budget.create', targetType: 'budget' },
  'PATCH /admin/v1/budgets/:id': { action: 'budget.update', targetType: 'budget', loadBefore: loadBudget },
  'DELETE /admin/v1/budgets/:id': { action: 'budget.delete', targetType: 'budget', loadBefore: loadBudget },
  'POST /admin/v1/providers': { action: 'provider.create', targetType: 'provider' },
  'PATCH /admin/v1/providers/:id': { action: 'provider.update', targetType: 'provider', loadBefore: loadProvider },
  'DELETE /admin/v1/providers/:id': { action: 'provider.delete', targetType: 'provider', loadBefore: loadProvider },
  'POST /admin/v1/providers/:id/test': { action: 'provider.test', targetType: 'provider' },
  'POST /admin/v1/providers/test': { action: 'provider.test_draft', targetType: 'provider' },
  'POST /admin/v1/models': { action: 'model.create', targetType: 'model' },
  'PATCH /admin/v1/models/:name': { action: 'model.update', targetType: 'model', loadBefore: loadModel },
  'DELETE /admin/v1/models/:name': { action: 'model.delete', targetType: 'model', loadBefore: loadModel },
  'POST /admin/v1/secrets/rotate': { action: 'secret.rotate', targetType: 'secret' },
  'POST /admin/v1/agents': { action: 'agent.create', targetType: 'agent' },
  'PUT /admin/v1/agents/:name': { action: 'agent.update', targetType: 'agent' },
  'DELETE /admin/v1/agents/:name': { action: 'agent.delete', targetType: 'agent' },
  'POST /admin/v1/agents/:name/activate': { action: 'agent.activate', targetType: 'agent' },
  'POST /admin/v1/workflows': { action: 'workflow.apply', targetType: 'workflow' },
  'PUT /admin/v1/workflows/:name': { action: 'workflow.update', targetType: 'workflow' },
  'DELETE /admin/v1/workflows/:name': { action: 'workflow.delete', targetType: 'workflow' },
  'POST /admin/v1/workflows/:name/activate': { action: 'workflow.activate', targetType: 'workflow' },
  'POST /admin/v1/users': { action: 'user.create', targetType: 'user' },
  'POST /admin/v1/apps/support/install': { action: 'app.install', targetType: 'app' },
  'POST /admin/v1/apps/support/:installation/store/reset': { action: 'app.store_reset', targetType: 'app' },
  'PATCH /admin/v1/users/:id': { action: 'user.update', targetType: 'user' },
};

const VERBS: Record<string, string> = { POST: 'create', PUT: 'replace', PATCH: 'update', DELETE: 'delete' };

export function auditedRoute(method: string, routeUrl: string): AuditedRoute {
  const known = AUDITED_ROUTES[`${method} ${routeUrl}`];
  if (known) return known;
  const resource = routeUrl.replace(/^\/admin\/v1\//, '').split('/')[0] ?? 'unknown';
  const targetType = resource.replace(/s$/, '').replace(/-/g, '_') || 'unknown';
  return { action: `${targetType}.${VERBS[method] ?? method.toLowerCase()}`, targetType };
}
