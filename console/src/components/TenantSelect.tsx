import type { ListResponse, Tenant } from '@contract';
import { useQuery } from '@tanstack/react-query';
import { useUrlParams } from './useUrlParams';
import { api } from '../api/client';

export const tenantsQueryKey = ['admin', 'tenants'] as const;

/** Every tenant, for the hub admin (`GET /admin/v1/tenants`); idle for a person. */
export function useTenants(enabled: boolean) {
  return useQuery({ queryKey: tenantsQueryKey, queryFn: () => api<ListResponse<Tenant>>('/admin/v1/tenants'), enabled });
}

/**
 * The hub admin's chosen tenant, kept in the URL (`?tenant=`) so a link or a reload keeps it; the first
 * tenant until one is chosen. A person's tenant is always their own: `fallback` (from the session).
 */
export function useChosenTenant(isAdmin: boolean, fallback: string | null) {
  const tenants = useTenants(isAdmin);
  const [params, update] = useUrlParams();
  const chosen = params.get('tenant');
  const list = tenants.data?.data ?? [];
  const tenantId = isAdmin ? (list.find((tenant) => tenant.id === chosen)?.id ?? list[0]?.id ?? null) : fallback;
  const choose = (id: string) => update({ tenant: id });
  return { tenants, tenantId, choose };
}

/** The hub admin's tenant picker; labels come from the page's catalogue. */
export function TenantSelect({ label, tenants, value, onChange }: { label: string; tenants: Tenant[]; value: string | null; onChange: (id: string) => void }) {
  return (
    <label>
      <span>{label}</span>
      <select name="tenant" value={value ?? ''} onChange={(event) => onChange(event.target.value)}>
        {tenants.map((tenant) => (
          <option key={tenant.id} value={tenant.id}>
            {tenant.name}
          </option>
        ))}
      </select>
    </label>
  );
}
