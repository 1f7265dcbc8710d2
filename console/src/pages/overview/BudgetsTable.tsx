import type { BudgetBurnDown } from '@contract';
import { useTranslation } from 'react-i18next';
import { type Column, DataTable } from '../../components/DataTable';
import { formatTime, formatUsd } from '../../components/format';
import { formatShare } from './UsageCards';

/** A share of two decimal USD strings, for a bar only (the amounts themselves are shown as the API's strings). */
const share = (part: string, whole: string): number => {
  const denominator = Number(whole);
  return denominator > 0 ? Math.min(1, Number(part) / denominator) : 0;
};

/**
 * A derived amount (a rate, a projection) cut to two significant digits past the cents' leading zeros
 * ("0.020272631267" → "0.020"), on the decimal string itself: spent and limits are shown exactly.
 */
export function roughUsd(value: string): string {
  const [whole = '0', fraction = ''] = value.split('.');
  const firstDigit = fraction.search(/[1-9]/);
  const keep = firstDigit === -1 ? 2 : Math.max(2, Math.min(fraction.length, firstDigit + 2));
  return `${whole}.${fraction.slice(0, keep).padEnd(2, '0')}`;
}

/** How much of the budget's period is behind us (null for `total`, which has none). */
const periodElapsed = (burn: BudgetBurnDown, now: number): number | null => {
  const { period_start: start, period_end: end } = burn.budget;
  if (!start || !end) return null;
  const span = Date.parse(end) - Date.parse(start);
  return span > 0 ? Math.min(1, Math.max(0, (now - Date.parse(start)) / span)) : null;
};

/**
 * Each budget in scope: spent against the limit (a bar, and how much of the period has gone, so spending ahead
 * of time shows), the last 24 hours' rate, when it runs out at that rate, and where the period ends up.
 */
export function BudgetsTable({ budgets }: { budgets: BudgetBurnDown[] }) {
  const { t, i18n } = useTranslation('overview');
  const language = i18n.language;
  const now = Date.now();
  const columns: Column<BudgetBurnDown>[] = [
    {
      id: 'scope',
      header: t('budget.scope'),
      cell: (row) => (
        <span>
          {t(`budget.scopes.${row.budget.scope}`)} <span className="overview-id">{row.budget.key_id ?? row.budget.project_id ?? ''}</span>
        </span>
      ),
    },
    { id: 'period', header: t('budget.period'), cell: (row) => t(`budget.periods.${row.budget.period}`) },
    {
      id: 'spent',
      header: t('budget.spent'),
      align: 'right',
      cell: (row) => (
        <span data-budget={row.budget.id} data-spent={row.budget.spent_usd}>
          {t('budget.ofLimit', { spent: formatUsd(row.budget.spent_usd, language), limit: formatUsd(row.budget.limit_usd, language) })}
        </span>
      ),
    },
    {
      id: 'burn',
      header: t('budget.burn'),
      cell: (row) => {
        const used = share(row.budget.spent_usd, row.budget.limit_usd);
        const elapsed = periodElapsed(row, now);
        const text =
          elapsed === null
            ? t('budget.usedTotal', { used: formatShare(used, language) })
            : t('budget.used', { used: formatShare(used, language), elapsed: formatShare(elapsed, language) });
        return (
          <span className="overview-burn">
            <meter min={0} max={1} low={0.75} high={0.9} optimum={0} value={used} aria-label={text} />
            <span className="muted">{text}</span>
          </span>
        );
      },
    },
    { id: 'rate', header: t('budget.rate'), align: 'right', cell: (row) => formatUsd(roughUsd(row.rate_usd_per_day), language) },
    {
      id: 'runsOut',
      header: t('budget.runsOut'),
      cell: (row) =>
        row.exhausted ? (
          <span className="badge bad">{t('budget.exhausted')}</span>
        ) : row.runs_out_at ? (
          <span className="badge warn">{formatTime(row.runs_out_at, language)}</span>
        ) : (
          <span className="badge ok">{Number(row.recent_spend_usd) === 0 ? t('budget.idle') : t('budget.lasts')}</span>
        ),
    },
    {
      id: 'projected',
      header: t('budget.projected'),
      align: 'right',
      cell: (row) => (row.projected_usd === null ? '—' : formatUsd(roughUsd(row.projected_usd), language)),
    },
  ];
  if (budgets.length === 0) return <p className="muted">{t('budget.none')}</p>;
  return (
    <>
      <DataTable columns={columns} rows={budgets} rowKey={(row) => row.budget.id} caption={t('budget.caption')} maxHeight={360} />
      <p className="muted overview-note">{t('budget.rateNote')}</p>
    </>
  );
}
