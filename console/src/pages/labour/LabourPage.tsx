import type { InboxStats, ListResponse, Tenant } from '@contract';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiBase } from '../../api/client';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { lastDays } from './labour-data';
import { LabourReport } from './LabourReport';

const PRESETS = [7, 30, 90] as const;

/**
 * Division of labour: how much of the work each agent finishes alone, what it hands to people and why, how
 * fast people answer and how long they work, and what a resolved conversation costs — per agent and per day,
 * from `/v1/inbox/stats` (a person's tenant) or `/admin/v1/inbox/stats` (the hub admin picks the tenant).
 */
export default function LabourPage() {
  const { t } = useTranslation(['labour', 'common']);
  const session = useSession();
  const admin = session.isAdmin;
  const [window, setWindow] = useState(() => lastDays(7));
  const [preset, setPreset] = useState<number | null>(7);
  const [chosenTenant, setChosenTenant] = useState('');
  const [agent, setAgent] = useState('');

  const tenants = useQuery({
    queryKey: ['labour', 'tenants'],
    queryFn: ({ signal }) => api<ListResponse<Tenant>>('/admin/v1/tenants', { signal }),
    enabled: admin,
  });
  const tenantId = admin ? chosenTenant || tenants.data?.data[0]?.id || '' : null;
  const stats = useQuery({
    queryKey: ['labour', 'stats', apiBase(), tenantId, window.from, window.to],
    queryFn: ({ signal }) =>
      api<InboxStats>(`${apiBase()}/inbox/stats`, { signal, query: { from: window.from, to: window.to, ...(admin ? { tenant_id: tenantId } : {}) } }),
    enabled: !admin || Boolean(tenantId),
    refetchInterval: 60_000,
  });

  const choosePreset = (days: number) => {
    setPreset(days);
    setWindow(lastDays(days));
  };
  const setDay = (field: 'from' | 'to', value: string) => {
    if (!value) return;
    setPreset(null);
    setWindow((current) => ({ ...current, [field]: value }));
  };

  return (
    <section className="labour-page">
      <PageHeader title={t('title')}>
        <p className="muted">{t('intro')}</p>
      </PageHeader>
      <form className="filters labour-filters" onSubmit={(event) => event.preventDefault()}>
        {admin ? (
          <div className="labour-field">
            <label htmlFor="labour-tenant">{t('filters.tenant')}</label>
            <select id="labour-tenant" value={tenantId ?? ''} onChange={(event) => setChosenTenant(event.target.value)}>
              {(tenants.data?.data ?? []).map((tenant) => (
                <option key={tenant.id} value={tenant.id}>
                  {tenant.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <fieldset className="labour-presets">
          <legend>{t('filters.window')}</legend>
          {PRESETS.map((days) => (
            <button key={days} type="button" className="button secondary" aria-pressed={preset === days} onClick={() => choosePreset(days)}>
              {t('filters.lastDays', { n: days })}
            </button>
          ))}
        </fieldset>
        <div className="labour-field">
          <label htmlFor="labour-from">{t('filters.from')}</label>
          <input id="labour-from" type="date" value={window.from} max={window.to} onChange={(event) => setDay('from', event.target.value)} />
        </div>
        <div className="labour-field">
          <label htmlFor="labour-to">{t('filters.to')}</label>
          <input id="labour-to" type="date" value={window.to} min={window.from} onChange={(event) => setDay('to', event.target.value)} />
        </div>
        <div className="labour-field">
          <label htmlFor="labour-agent">{t('filters.agent')}</label>
          <select id="labour-agent" value={agent} onChange={(event) => setAgent(event.target.value)}>
            <option value="">{t('filters.allAgents')}</option>
            {(stats.data?.totals ?? []).flatMap((row) =>
              row.agent === null
                ? []
                : [
                    <option key={row.agent} value={row.agent}>
                      {row.agent}
                    </option>,
                  ],
            )}
          </select>
        </div>
      </form>
      {admin && tenants.isSuccess && !tenantId ? <p className="muted">{t('noTenant')}</p> : null}
      {!admin || tenantId ? <QueryState query={stats}>{(data) => <LabourReport data={data} agent={agent} />}</QueryState> : null}
    </section>
  );
}
