import { useSession } from '../../auth/session';
import { useChosenTenant } from '../../components/TenantSelect';

/**
 * Whose workflows the page shows: a person's own tenant, or the tenant the hub admin chose (kept in `?tenant=`,
 * which `link` carries on to the page's other views).
 */
export function useWorkflowTenant() {
  const session = useSession();
  const chosen = useChosenTenant(session.isAdmin, session.me?.tenant_id ?? null);
  const link = (path: string) => (session.isAdmin && chosen.tenantId ? `${path}?tenant=${encodeURIComponent(chosen.tenantId)}` : path);
  return { ...chosen, ready: !session.isAdmin || chosen.tenantId !== null, link };
}
