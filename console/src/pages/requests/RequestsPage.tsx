import type { LedgerRow } from '@contract';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { apiBase } from '../../api/client';
import { useSession } from '../../auth/session';
import { type Column, DataTable } from '../../components/DataTable';
import { formatMs, formatNumber, formatTime, formatUsd } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { useTenants } from '../../components/TenantSelect';
import { RequestDetail, StatusBadge } from './RequestDetail';
import { keyLabel, RequestFilters } from './RequestFilters';
import { csvUrl, downloadCsv, fetchLedgerPage, filtersOf, type LedgerFilters, ledgerQuery, listKeys, searchOf } from './requests-api';

/**
 * The request log: the ledger, newest first, filtered by what the URL says (so a view can be shared),
 * one API call per page (the first on load, the next by cursor on "Load more"), a CSV export of the
 * same view, and one request's every field, with its bodies when its key keeps them.
 */
export default function RequestsPage() {
  const { t, i18n } = useTranslation(['requests', 'common']);
  const language = i18n.language;
  const session = useSession();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const search = searchOf(filtersOf(params)).toString();
  const filters = useMemo(() => filtersOf(new URLSearchParams(search)), [search]);
  // Relative ranges are fixed when the view is opened: every next page asks for the same span.
  const query = useMemo(() => ledgerQuery(filters, Date.now()), [filters]);
  const ledgerKey = ['requests', 'ledger', apiBase(), search] as const;
  const ledger = useInfiniteQuery({
    queryKey: ledgerKey,
    queryFn: ({ pageParam, signal }) => fetchLedgerPage(query, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    // Pages already loaded are never refetched behind the reader's back (that would be one call per page): Refresh starts over.
    staleTime: Number.POSITIVE_INFINITY,
  });
  const tenants = useTenants(session.isAdmin);
  const mayListKeys = session.isAdmin || session.can('keys:read');
  const keys = useQuery({ queryKey: ['requests', 'keys', apiBase()], queryFn: () => listKeys(''), enabled: mayListKeys, retry: false });
  const keyNames = useMemo(() => new Map((keys.data?.data ?? []).map((key) => [key.id, keyLabel(key)])), [keys.data]);
  const keyName = (id: string | null) => (id ? (keyNames.get(id) ?? id) : t('noKey'));
  const [selected, setSelected] = useState<LedgerRow | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);

  const rows = useMemo(() => ledger.data?.pages.flatMap((page) => page.data) ?? [], [ledger.data]);
  const models = useMemo(() => [...new Set(rows.map((row) => row.model_served))].sort(), [rows]);

  const apply = (next: LedgerFilters) => setParams(searchOf(next));
  const refresh = () => void queryClient.resetQueries({ queryKey: ledgerKey, exact: true });
  // One call per click: a second click while the page is on its way would cancel and repeat it.
  const loadMore = () => {
    if (!ledger.isFetchingNextPage) void ledger.fetchNextPage();
  };

  const columns: Column<LedgerRow>[] = [
    {
      id: 'time',
      header: t('columns.time'),
      cell: (row) => <time dateTime={row.created_at}>{formatTime(row.created_at, language)}</time>,
    },
    {
      id: 'request',
      header: t('columns.request'),
      cell: (row) => (
        <button
          type="button"
          className="link requests-open"
          onClick={(event) => {
            event.stopPropagation();
            setSelected(row);
          }}
        >
          <code>{row.request_id}</code>
        </button>
      ),
    },
    { id: 'key', header: t('columns.key'), cell: (row) => keyName(row.key_id) },
    { id: 'model', header: t('columns.model'), cell: (row) => row.model_served },
    { id: 'status', header: t('columns.status'), cell: (row) => <StatusBadge row={row} /> },
    { id: 'tokensIn', header: t('columns.tokensIn'), align: 'right', cell: (row) => formatNumber(row.prompt_tokens, language) },
    { id: 'tokensOut', header: t('columns.tokensOut'), align: 'right', cell: (row) => formatNumber(row.completion_tokens, language) },
    { id: 'cost', header: t('columns.cost'), align: 'right', cell: (row) => (row.price_known ? formatUsd(row.cost_usd, language) : t('priceUnknown')) },
    { id: 'latency', header: t('columns.latency'), align: 'right', cell: (row) => formatMs(row.latency_ms) },
    {
      id: 'agent',
      header: t('columns.agent'),
      cell: (row) => (row.agent ? `${row.agent}${row.run_id ? ` · ${row.run_id}` : ''}` : <span className="muted">{t('noAgent')}</span>),
    },
  ];

  const exportButton = session.isAdmin ? (
    <button
      type="button"
      className="button secondary"
      onClick={() => {
        setExportError(null);
        downloadCsv(query).catch(setExportError);
      }}
    >
      {t('export')}
    </button>
  ) : (
    // A person's session cookie rides on a plain link; the hub streams the file.
    <a className="button secondary" href={csvUrl(query)} download="tokenhub-ledger.csv">
      {t('export')}
    </a>
  );

  return (
    <section className="requests-page">
      <PageHeader
        title={t('title')}
        actions={
          <>
            <button type="button" className="button secondary" onClick={refresh}>
              {t('common:refresh')}
            </button>
            {exportButton}
          </>
        }
      >
        <p className="muted">{t('intro')}</p>
      </PageHeader>
      {exportError ? <ErrorBanner error={exportError} /> : null}
      <RequestFilters
        filters={filters}
        onApply={apply}
        tenants={session.isAdmin ? (tenants.data?.data ?? []) : null}
        keys={mayListKeys && keys.data ? keys.data.data : null}
        models={models}
      />
      <QueryState query={ledger}>
        {() => (
          <>
            <p className="muted" role="status">
              {ledger.hasNextPage ? t('shownMore', { count: rows.length }) : t('shownAll', { count: rows.length })}
            </p>
            <DataTable columns={columns} rows={rows} rowKey={(row) => row.request_id} caption={t('caption')} onRowClick={setSelected} />
            <div className="requests-more">
              {ledger.hasNextPage ? (
                <button type="button" className="button secondary" onClick={loadMore} aria-disabled={ledger.isFetchingNextPage}>
                  {ledger.isFetchingNextPage ? t('common:loading') : t('loadMore')}
                </button>
              ) : null}
              {ledger.isFetchNextPageError ? <ErrorBanner error={ledger.error} onRetry={loadMore} /> : null}
            </div>
          </>
        )}
      </QueryState>
      <RequestDetail row={selected} keyName={keyName} onClose={() => setSelected(null)} />
    </section>
  );
}
