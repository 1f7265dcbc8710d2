import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { type Column, DataTable } from '../../components/DataTable';
import { formatNumber, formatTime, formatUsd } from '../../components/format';
import { ErrorBanner } from '../../components/QueryState';
import type { WorkflowRunStatus, WorkflowRunSummary } from './workflow-types';
import { listWorkflowRuns, workflowRunsKey } from './workflows-api';

const TONES: Partial<Record<WorkflowRunStatus, string>> = {
  completed: 'ok',
  failed: 'bad',
  budget_exceeded: 'bad',
  needs_attention: 'warn',
  waiting_approval: 'warn',
  waiting: 'info',
  running: 'info',
};

export function WorkflowRunStatusBadge({ status }: { status: WorkflowRunStatus }) {
  const { t } = useTranslation('workflows');
  return <span className={`badge ${TONES[status] ?? ''} workflow-run-status`}>{t(`runStatus.${status}`)}</span>;
}

export const runPath = (workflow: string, id: string) => `/workflows/${encodeURIComponent(workflow)}/runs/${encodeURIComponent(id)}`;

/** The workflow's runs, newest first, fifty at a time, refreshed while the tab is open. */
export function WorkflowRunList({ name }: { name: string }) {
  const { t, i18n } = useTranslation(['workflows', 'common']);
  const navigate = useNavigate();
  const runs = useInfiniteQuery({
    queryKey: workflowRunsKey(name),
    queryFn: ({ pageParam }) => listWorkflowRuns(name, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    refetchInterval: 10_000,
  });
  const rows = runs.data?.pages.flatMap((page) => page.data) ?? [];
  const columns: Column<WorkflowRunSummary>[] = [
    {
      id: 'id',
      header: t('runs.run'),
      cell: (run) => (
        <Link to={runPath(run.workflow, run.id)} onClick={(event) => event.stopPropagation()}>
          <code>{run.id}</code>
        </Link>
      ),
    },
    { id: 'version', header: t('versions.version'), cell: (run) => t('versionOf', { version: run.version }) },
    { id: 'status', header: t('runs.status'), cell: (run) => <WorkflowRunStatusBadge status={run.status} /> },
    { id: 'started', header: t('runs.started'), cell: (run) => <time dateTime={run.created_at}>{formatTime(run.created_at, i18n.language)}</time> },
    {
      id: 'finished',
      header: t('runs.finished'),
      cell: (run) => (run.finished_at ? <time dateTime={run.finished_at}>{formatTime(run.finished_at, i18n.language)}</time> : '—'),
    },
    { id: 'steps', header: t('columns.steps'), align: 'right', cell: (run) => formatNumber(run.steps, i18n.language) },
    { id: 'cost', header: t('runs.cost'), align: 'right', cell: (run) => <span className="workflow-run-cost">{formatUsd(run.usage.cost_usd, i18n.language)}</span> },
  ];
  if (runs.isPending) return <p className="muted" role="status">{t('common:loading')}</p>;
  if (runs.isError) return <ErrorBanner error={runs.error} onRetry={() => void runs.refetch()} />;
  return (
    <>
      <DataTable
        caption={t('runs.caption', { name })}
        columns={columns}
        rows={rows}
        rowKey={(run) => run.id}
        onRowClick={(run) => void navigate(runPath(run.workflow, run.id))}
      />
      {runs.hasNextPage ? (
        <p>
          <button type="button" className="button secondary" disabled={runs.isFetchingNextPage} onClick={() => void runs.fetchNextPage()}>
            {t('runs.loadMore')}
          </button>
        </p>
      ) : null}
    </>
  );
}
