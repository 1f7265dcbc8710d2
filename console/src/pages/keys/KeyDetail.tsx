import type { Budget, BudgetPeriod, UsageRow } from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { useSession } from '../../auth/session';
import { type Column, DataTable } from '../../components/DataTable';
import { formatNumber, formatTime, formatUsd } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { TimeChart } from '../../components/TimeChart';
import { useKeyAccess } from './key-access';
import { KeyFormDialog } from './KeyFormDialog';
import { limitsText, useKeyContext } from './KeyList';
import { BUDGET_PERIODS, createKeyBudget, deleteBudget, getKey, type KeyRow, keyBudgets, keyUsage, listModelNames } from './keys-api';
import { RevokeKeyDialog } from './RevokeKeyDialog';

/** One key: what it may do, its daily usage (`{base}/usage?key_id=&group_by=day`) and its budgets. */
export function KeyDetail() {
  const { t } = useTranslation(['keys', 'common']);
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const key = useQuery({ queryKey: ['keys', 'one', id], queryFn: () => getKey(id) });
  const tenant = params.get('tenant');
  const back = `/keys${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`;
  return (
    <section className="keys-page">
      <p>
        <Link to={back}>
          {t('detail.back')}
        </Link>
      </p>
      <QueryState query={key}>{(data) => <KeyDetailBody keyRow={data} />}</QueryState>
    </section>
  );
}

function KeyDetailBody({ keyRow }: { keyRow: KeyRow }) {
  const { t, i18n } = useTranslation(['keys', 'common']);
  const session = useSession();
  const access = useKeyAccess();
  const { projects, projectNames, userNames } = useKeyContext(keyRow.tenant_id);
  const models = useQuery({ queryKey: ['keys', 'model-names'], queryFn: listModelNames, enabled: session.isAdmin, retry: false });
  const [editing, setEditing] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const language = i18n.language;
  const name = keyRow.name ?? t('unnamed');
  return (
    <>
      <PageHeader
        title={t('detail.title', { name })}
        actions={
          <>
            {access.canEdit(keyRow) ? (
              <button type="button" className="button secondary" onClick={() => setEditing(true)}>
                {t('actions.edit')}
              </button>
            ) : null}
            {access.canRevoke(keyRow) ? (
              <button type="button" className="button danger" onClick={() => setRevoking(true)}>
                {t('actions.revoke')}
              </button>
            ) : null}
          </>
        }
      >
        {keyRow.revoked_at ? <span className="badge bad">{t('detail.revokedAt', { at: formatTime(keyRow.revoked_at, language) })}</span> : <span className="badge ok">{t('status.active')}</span>}
      </PageHeader>
      <div className="panel">
        <dl className="keys-summary">
          <dt>{t('columns.prefix')}</dt>
          <dd>
            <code>{keyRow.key_prefix}</code>
          </dd>
          <dt>{t('detail.id')}</dt>
          <dd>
            <code>{keyRow.id}</code>
          </dd>
          <dt>{t('columns.project')}</dt>
          <dd>{keyRow.project_id ? (projectNames.get(keyRow.project_id) ?? keyRow.project_id) : t('noProject')}</dd>
          <dt>{t('columns.owner')}</dt>
          <dd>{keyRow.user_id ? (userNames.get(keyRow.user_id) ?? keyRow.user_id) : t('serviceKey')}</dd>
          <dt>{t('columns.scopes')}</dt>
          <dd>{keyRow.scopes.length > 0 ? keyRow.scopes.join(', ') : t('noScopes')}</dd>
          <dt>{t('columns.models')}</dt>
          <dd>{keyRow.models ? keyRow.models.join(', ') : t('allModels')}</dd>
          <dt>{t('columns.limits')}</dt>
          <dd>{limitsText(keyRow, t, language)}</dd>
          <dt>{t('columns.created')}</dt>
          <dd>{formatTime(keyRow.created_at, language)}</dd>
        </dl>
      </div>
      {session.can('usage:read') ? <KeyUsage keyId={keyRow.id} /> : null}
      <KeyBudgets keyRow={keyRow} canWrite={access.canWriteBudgets && !keyRow.revoked_at} />
      {editing ? (
        <KeyFormDialog
          open
          onClose={() => setEditing(false)}
          editing={keyRow}
          tenantId={keyRow.tenant_id}
          tenantName={null}
          projects={projects}
          modelSuggestions={models.data ?? []}
        />
      ) : null}
      <RevokeKeyDialog target={revoking ? keyRow : null} onClose={() => setRevoking(false)} />
    </>
  );
}

const dayStart = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;

function KeyUsage({ keyId }: { keyId: string }) {
  const { t, i18n } = useTranslation(['keys', 'common']);
  const usage = useQuery({ queryKey: ['keys', 'usage', keyId], queryFn: () => keyUsage(keyId) });
  const language = i18n.language;
  const columns: Column<UsageRow>[] = [
    { id: 'day', header: t('usage.day'), cell: (row) => row.group ?? '—' },
    { id: 'requests', header: t('usage.requests'), align: 'right', cell: (row) => formatNumber(row.requests, language) },
    { id: 'prompt', header: t('usage.promptTokens'), align: 'right', cell: (row) => formatNumber(row.prompt_tokens, language) },
    { id: 'completion', header: t('usage.completionTokens'), align: 'right', cell: (row) => formatNumber(row.completion_tokens, language) },
    { id: 'cost', header: t('usage.cost'), align: 'right', cell: (row) => formatUsd(row.cost_usd, language) },
  ];
  return (
    <section className="panel" aria-labelledby="key-usage-heading">
      <h2 id="key-usage-heading">{t('usage.title')}</h2>
      <QueryState query={usage}>
        {(data) => {
          const days = data.data.filter((row) => row.group !== null).sort((a, b) => String(a.group).localeCompare(String(b.group)));
          if (days.length === 0) return <p className="muted">{t('usage.none')}</p>;
          return <UsageChart days={days} columns={columns} />;
        }}
      </QueryState>
    </section>
  );
}

const DAY_SECONDS = 86_400;
/** The chart shows at least this many days, so one day of traffic is a point in a fortnight, not a lone dot on a scale of years. */
const CHART_DAYS = 14;

/** Every day from the first with traffic (or two weeks back) to today, days without traffic at zero. */
function chartDays(days: UsageRow[]): { times: number[]; prompt: number[]; completion: number[] } {
  const byDay = new Map(days.map((row) => [dayStart(String(row.group)), row]));
  const today = dayStart(new Date().toISOString().slice(0, 10));
  const first = Math.min(today - (CHART_DAYS - 1) * DAY_SECONDS, ...byDay.keys());
  const last = Math.max(today, ...byDay.keys());
  const times: number[] = [];
  const prompt: number[] = [];
  const completion: number[] = [];
  for (let time = first; time <= last; time += DAY_SECONDS) {
    const row = byDay.get(time);
    times.push(time);
    prompt.push(row?.prompt_tokens ?? 0);
    completion.push(row?.completion_tokens ?? 0);
  }
  return { times, prompt, completion };
}

function UsageChart({ days, columns }: { days: UsageRow[]; columns: Column<UsageRow>[] }) {
  const { t } = useTranslation('keys');
  const chart = useMemo(() => chartDays(days), [days]);
  const series = useMemo(
    () => [
      // One unit on the one axis: tokens (the requests are in the table below).
      { label: t('usage.promptTokens'), values: chart.prompt },
      { label: t('usage.completionTokens'), values: chart.completion },
    ],
    [chart, t],
  );
  return (
    <>
      <TimeChart times={chart.times} series={series} label={t('usage.chartLabel')} stacked />
      <DataTable columns={columns} rows={[...days].reverse()} rowKey={(row) => String(row.group)} caption={t('usage.tableCaption')} maxHeight={320} />
    </>
  );
}

function KeyBudgets({ keyRow, canWrite }: { keyRow: KeyRow; canWrite: boolean }) {
  const { t, i18n } = useTranslation(['keys', 'common']);
  const queryClient = useQueryClient();
  const budgets = useQuery({ queryKey: ['keys', 'budgets', keyRow.id], queryFn: () => keyBudgets(keyRow.id) });
  const [limit, setLimit] = useState('');
  const [period, setPeriod] = useState<BudgetPeriod>('month');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['keys', 'budgets', keyRow.id] });
  const add = useMutation({
    mutationFn: () => createKeyBudget(keyRow.id, limit.trim(), period),
    onSuccess: async () => {
      setLimit('');
      await refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => deleteBudget(id), onSuccess: refresh });
  const language = i18n.language;
  const columns: Column<Budget>[] = [
    { id: 'limit', header: t('budgets.limit'), align: 'right', cell: (budget) => formatUsd(budget.limit_usd, language) },
    { id: 'period', header: t('budgets.period'), cell: (budget) => t(`periods.${budget.period}`) },
    { id: 'spent', header: t('budgets.spent'), align: 'right', cell: (budget) => formatUsd(budget.spent_usd, language) },
    { id: 'reserved', header: t('budgets.reserved'), align: 'right', cell: (budget) => formatUsd(budget.reserved_usd, language) },
    { id: 'remaining', header: t('budgets.remaining'), align: 'right', cell: (budget) => formatUsd(budget.remaining_usd, language) },
    { id: 'end', header: t('budgets.periodEnd'), cell: (budget) => (budget.period_end ? formatTime(budget.period_end, language) : '—') },
  ];
  if (canWrite) {
    columns.push({
      id: 'actions',
      header: t('common:actions'),
      cell: (budget) => (
        <button type="button" className="button secondary" aria-disabled={remove.isPending} onClick={() => (remove.isPending ? undefined : remove.mutate(budget.id))}>
          {t('budgets.delete')}
        </button>
      ),
    });
  }
  return (
    <section className="panel" aria-labelledby="key-budgets-heading">
      <h2 id="key-budgets-heading">{t('budgets.title')}</h2>
      <QueryState query={budgets}>
        {(data) => (data.data.length === 0 ? <p className="muted">{t('budgets.none')}</p> : <DataTable columns={columns} rows={data.data} rowKey={(budget) => budget.id} caption={t('budgets.title')} maxHeight={240} />)}
      </QueryState>
      {remove.isError ? <ErrorBanner error={remove.error} /> : null}
      {canWrite ? (
        <form
          className="filters keys-budget-form"
          aria-label={t('budgets.add')}
          onSubmit={(event) => {
            event.preventDefault();
            if (!add.isPending) add.mutate();
          }}
        >
          <label>
            <span>{t('form.budgetLimit')}</span>
            <input name="limit_usd" inputMode="decimal" autoComplete="off" required value={limit} onChange={(event) => setLimit(event.target.value)} />
          </label>
          <label>
            <span>{t('form.budgetPeriod')}</span>
            <select name="period" value={period} onChange={(event) => setPeriod(event.target.value as BudgetPeriod)}>
              {BUDGET_PERIODS.map((entry) => (
                <option key={entry} value={entry}>
                  {t(`periods.${entry}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="button" aria-disabled={add.isPending}>
            {t('budgets.add')}
          </button>
        </form>
      ) : null}
      {add.isError ? <ErrorBanner error={add.error} /> : null}
    </section>
  );
}
