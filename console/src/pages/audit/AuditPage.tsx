import type { AuditEntry } from '@contract';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { apiBase } from '../../api/client';
import { useSession } from '../../auth/session';
import { type Column, DataTable } from '../../components/DataTable';
import { formatTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { useTenants } from '../../components/TenantSelect';
import { TimeRangeFields } from '../../components/TimeRangeFields';
import { RANGE_IDS, type RangeId } from '../../components/time-range';
import { AuditDetail } from './AuditDetail';
import { type AuditFilters, auditQuery, fetchAuditPage, filtersOf, listUsers, searchOf, TARGET_TYPES } from './audit-api';

/**
 * The audit log: who changed what (the hub admin, the tenant's people, its service keys), newest first,
 * filtered by actor, action, target and time from the URL, one API call per page (by cursor), and one
 * entry's detail with what it changed.
 */
export default function AuditPage() {
  const { t, i18n } = useTranslation(['audit', 'common']);
  const session = useSession();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const search = searchOf(filtersOf(params)).toString();
  const filters = useMemo(() => filtersOf(new URLSearchParams(search)), [search]);
  const query = useMemo(() => auditQuery(filters, Date.now()), [filters]);
  const auditKey = ['audit', 'page', apiBase(), search] as const;
  const audit = useInfiniteQuery({
    queryKey: auditKey,
    queryFn: ({ pageParam, signal }) => fetchAuditPage(query, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const tenants = useTenants(session.isAdmin);
  const users = useQuery({ queryKey: ['audit', 'users', apiBase()], queryFn: listUsers, enabled: session.isAdmin || session.can('users:read'), retry: false });
  const userNames = useMemo(() => new Map((users.data?.data ?? []).map((user) => [user.id, user.name || user.email])), [users.data]);
  const [selected, setSelected] = useState<AuditEntry | null>(null);

  const actorName = (actor: string): string => {
    const [kind = '', id = ''] = actor.split(/:(.*)/s);
    if (kind === 'admin') return t('actor.admin', { id });
    if (kind === 'user') return t('actor.user', { name: userNames.get(id) ?? id });
    if (kind === 'key') return t('actor.key', { id });
    return actor;
  };
  const entries = useMemo(() => audit.data?.pages.flatMap((page) => page.data) ?? [], [audit.data]);
  const loadMore = () => {
    if (!audit.isFetchingNextPage) void audit.fetchNextPage();
  };

  const columns: Column<AuditEntry>[] = [
    { id: 'at', header: t('columns.at'), cell: (entry) => <time dateTime={entry.at}>{formatTime(entry.at, i18n.language)}</time> },
    { id: 'actor', header: t('columns.actor'), cell: (entry) => actorName(entry.actor) },
    {
      id: 'action',
      header: t('columns.action'),
      cell: (entry) => (
        <button
          type="button"
          className="link"
          onClick={(event) => {
            event.stopPropagation();
            setSelected(entry);
          }}
        >
          <code>{entry.action}</code>
        </button>
      ),
    },
    { id: 'target', header: t('columns.target'), cell: (entry) => (entry.target_id ? `${entry.target_type} ${entry.target_id}` : entry.target_type) },
    ...(session.isAdmin ? [{ id: 'tenant', header: t('columns.tenant'), cell: (entry: AuditEntry) => entry.tenant_id ?? t('hubWide') }] : []),
    {
      id: 'status',
      header: t('columns.status'),
      cell: (entry) => <span className={`badge ${entry.status < 400 ? 'ok' : 'bad'}`}>{entry.status < 400 ? t('status.ok', { status: entry.status }) : t('status.failed', { status: entry.status })}</span>,
    },
  ];

  return (
    <section className="audit-page">
      <PageHeader
        title={t('title')}
        actions={
          <button type="button" className="button secondary" onClick={() => void queryClient.resetQueries({ queryKey: auditKey, exact: true })}>
            {t('common:refresh')}
          </button>
        }
      >
        <p className="muted">{t('intro')}</p>
      </PageHeader>
      <AuditFilterBar filters={filters} onApply={(next) => setParams(searchOf(next))} tenants={session.isAdmin ? (tenants.data?.data ?? []) : null} />
      <QueryState query={audit}>
        {() => (
          <>
            <p className="muted" role="status">
              {audit.hasNextPage ? t('shownMore', { count: entries.length }) : t('shownAll', { count: entries.length })}
            </p>
            <DataTable columns={columns} rows={entries} rowKey={(entry) => entry.id} caption={t('caption')} onRowClick={setSelected} />
            <div className="requests-more">
              {audit.hasNextPage ? (
                <button type="button" className="button secondary" onClick={loadMore} aria-disabled={audit.isFetchingNextPage}>
                  {audit.isFetchingNextPage ? t('common:loading') : t('loadMore')}
                </button>
              ) : null}
              {audit.isFetchNextPageError ? <ErrorBanner error={audit.error} onRetry={loadMore} /> : null}
            </div>
          </>
        )}
      </QueryState>
      <AuditDetail entry={selected} actorName={actorName} onClose={() => setSelected(null)} />
    </section>
  );
}

function AuditFilterBar({ filters, onApply, tenants }: { filters: AuditFilters; onApply: (filters: AuditFilters) => void; tenants: { id: string; name: string }[] | null }) {
  const { t } = useTranslation(['audit', 'common']);
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [filters]);
  const set = (name: keyof AuditFilters, value: string) => setDraft((previous) => ({ ...previous, [name]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const rangeOptions = Object.fromEntries(RANGE_IDS.map((id) => [id, t(`range.${id}`)])) as Record<RangeId, string>;
  return (
    <form className="filters requests-filters" role="search" aria-label={t('filters.label')} onSubmit={submit}>
      {tenants ? (
        <label>
          <span>{t('filters.tenant')}</span>
          <select name="tenant" value={draft.tenant} onChange={(event) => set('tenant', event.target.value)}>
            <option value="">{t('filters.allTenants')}</option>
            {tenants.map((tenant) => (
              <option key={tenant.id} value={tenant.id}>
                {tenant.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <TimeRangeFields
        labels={{ range: t('filters.range'), from: t('filters.from'), to: t('filters.to'), options: rangeOptions }}
        value={{ range: draft.range, from: draft.from, to: draft.to }}
        onChange={(range) => setDraft((previous) => ({ ...previous, ...range }))}
      />
      <label>
        <span>{t('filters.actor')}</span>
        <input name="actor" value={draft.actor} onChange={(event) => set('actor', event.target.value)} placeholder={t('filters.actorPlaceholder')} />
      </label>
      <label>
        <span>{t('filters.action')}</span>
        <input name="action" value={draft.action} onChange={(event) => set('action', event.target.value)} placeholder={t('filters.actionPlaceholder')} />
      </label>
      <label>
        <span>{t('filters.targetType')}</span>
        <input name="target_type" list="audit-target-types" value={draft.targetType} onChange={(event) => set('targetType', event.target.value)} />
        <datalist id="audit-target-types">
          {TARGET_TYPES.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
      </label>
      <label>
        <span>{t('filters.targetId')}</span>
        <input name="target_id" value={draft.targetId} onChange={(event) => set('targetId', event.target.value)} />
      </label>
      <div className="requests-filter-actions">
        <button type="submit" className="button">
          {t('common:apply')}
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => onApply({ ...filters, range: 'all', from: '', to: '', actor: '', action: '', targetType: '', targetId: '' })}
        >
          {t('common:reset')}
        </button>
      </div>
    </form>
  );
}
