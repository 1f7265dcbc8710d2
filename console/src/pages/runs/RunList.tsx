import type { RunSummary } from '@contract';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useUrlParams } from '../../components/useUrlParams';
import { type Column, DataTable } from '../../components/DataTable';
import { formatNumber, formatTime, formatUsd } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner } from '../../components/QueryState';
import { RunStatusBadge } from '../../components/RunTimeline';
import { listAgentNames, listRuns, RUN_STATUSES, type RunFilter, runsKey } from './runs-api';

/** The tenant's runs, newest first, filtered by agent and status (kept in the URL), fifty at a time. */
export function RunList() {
  const { t, i18n } = useTranslation(['runs', 'common']);
  const navigate = useNavigate();
  const [params, update] = useUrlParams();
  const filter: RunFilter = { agent: params.get('agent') ?? '', status: params.get('status') ?? '' };
  const agents = useQuery({ queryKey: ['runs', 'agent-names'], queryFn: listAgentNames });
  const runs = useInfiniteQuery({
    queryKey: runsKey(filter),
    queryFn: ({ pageParam }) => listRuns(filter, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    refetchInterval: 10_000,
  });
  const rows = runs.data?.pages.flatMap((page) => page.data) ?? [];
  const choose = (name: 'agent' | 'status', value: string) =>
    update({ [name]: value });

  const columns: Column<RunSummary>[] = [
    {
      id: 'id',
      header: t('columns.run'),
      cell: (run) => (
        <Link to={`/runs/${run.id}`} onClick={(event) => event.stopPropagation()}>
          <code>{run.id}</code>
        </Link>
      ),
    },
    { id: 'agent', header: t('columns.agent'), cell: (run) => t('agentVersion', { agent: run.agent, version: run.version }) },
    { id: 'status', header: t('columns.status'), cell: (run) => <RunStatusBadge status={run.status} /> },
    { id: 'started', header: t('columns.started'), cell: (run) => <time dateTime={run.created_at}>{formatTime(run.created_at, i18n.language)}</time> },
    { id: 'finished', header: t('columns.finished'), cell: (run) => (run.finished_at ? <time dateTime={run.finished_at}>{formatTime(run.finished_at, i18n.language)}</time> : '—') },
    { id: 'steps', header: t('columns.steps'), align: 'right', cell: (run) => formatNumber(run.steps, i18n.language) },
    {
      id: 'tokens',
      header: t('columns.tokens'),
      align: 'right',
      cell: (run) => formatNumber(run.usage.input_tokens + run.usage.output_tokens, i18n.language),
    },
    { id: 'cost', header: t('columns.cost'), align: 'right', cell: (run) => <span className="run-cost">{formatUsd(run.usage.cost_usd, i18n.language)}</span> },
  ];

  return (
    <section>
      <PageHeader title={t('title')}>
        <p className="muted">{t('subtitle')}</p>
      </PageHeader>
      <div className="filters" role="search" aria-label={t('filters.label')}>
        <label>
          <span>{t('filters.agent')}</span>
          <select name="agent" value={filter.agent} onChange={(event) => choose('agent', event.target.value)}>
            <option value="">{t('filters.allAgents')}</option>
            {[...new Set([...(agents.data ?? []), ...(filter.agent ? [filter.agent] : [])])].map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('filters.status')}</span>
          <select name="status" value={filter.status} onChange={(event) => choose('status', event.target.value)}>
            <option value="">{t('filters.allStatuses')}</option>
            {RUN_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`status.${status}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button secondary" onClick={() => void runs.refetch()}>
          {t('common:refresh')}
        </button>
      </div>
      {runs.isPending ? (
        <p className="muted" role="status">
          {t('common:loading')}
        </p>
      ) : runs.isError ? (
        <ErrorBanner error={runs.error} onRetry={() => void runs.refetch()} />
      ) : (
        <>
          <DataTable caption={t('tableCaption')} columns={columns} rows={rows} rowKey={(run) => run.id} onRowClick={(run) => void navigate(`/runs/${run.id}`)} />
          {runs.hasNextPage ? (
            <p>
              <button type="button" className="button secondary" disabled={runs.isFetchingNextPage} onClick={() => void runs.fetchNextPage()}>
                {t('loadMore')}
              </button>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
