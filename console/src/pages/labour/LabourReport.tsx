import type { InboxStats, InboxStatsRow } from '@contract';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { type Column, DataTable } from '../../components/DataTable';
import { formatNumber, formatUsd } from '../../components/format';
import { type Series, TimeChart } from '../../components/TimeChart';
import { type Combined, combine, dailyCounts, dailySeries, daysOf } from './labour-data';
import { formatSeconds, formatShare } from './labour-format';

const HUB_REASONS = new Set(['transfer_to_human', 'approval', 'needs_attention', 'customer_request', 'negative_sentiment', 'tool_errors', 'budget_exhausted']);

/** One measure: its words, the value as shown, the API's own value (`data-value`, what the tests compare), a line under it. */
function Card({ measure, label, value, raw, note }: { measure: string; label: string; value: string; raw: string | number | null; note?: string }) {
  return (
    <div className="card" data-measure={measure} data-value={raw === null ? '' : String(raw)}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {note ? <div className="muted card-note">{note}</div> : null}
    </div>
  );
}

function Cards({ row }: { row: Combined }) {
  const { t, i18n } = useTranslation('labour');
  const language = i18n.language;
  const seconds = (value: number | null) => (row.mixedMedians ? '—' : formatSeconds(value, t, language));
  const first = row.time_to_first_human_response_s;
  return (
    <div className="cards labour-cards">
      <Card measure="conversations" label={t('measure.conversations')} value={formatNumber(row.conversations, language)} raw={row.conversations} note={t('note.closedByAgent', { n: formatNumber(row.closed_by_agent, language) })} />
      <Card measure="containment" label={t('measure.containment')} value={formatShare(row.containment, language)} raw={row.containment} note={t('note.containment')} />
      <Card measure="handoffs" label={t('measure.handoffs')} value={formatNumber(row.handoffs.total, language)} raw={row.handoffs.total} note={t('note.approvals', { total: row.approvals.total, approved: row.approvals.approved, rejected: row.approvals.rejected })} />
      <Card
        measure="first_response_median"
        label={t('measure.firstResponse')}
        value={seconds(first.median)}
        raw={row.mixedMedians ? null : first.median}
        note={row.mixedMedians ? t('note.mixed') : t('note.firstResponse', { p90: formatSeconds(first.p90, t, language), n: first.samples })}
      />
      <Card
        measure="handling_median"
        label={t('measure.handling')}
        value={seconds(row.human_handling_s.median)}
        raw={row.mixedMedians ? null : row.human_handling_s.median}
        note={row.mixedMedians ? t('note.mixed') : t('note.samples', { n: row.human_handling_s.samples })}
      />
      <Card measure="resolved_conversations" label={t('measure.resolved')} value={formatNumber(row.resolved_conversations, language)} raw={row.resolved_conversations} />
      <Card
        measure="cost_per_resolved"
        label={t('measure.costPerResolved')}
        value={formatUsd(row.cost_usd.per_resolved_conversation, language)}
        raw={row.cost_usd.per_resolved_conversation}
        note={t('note.cost', { total: formatUsd(row.cost_usd.total, language), tokens: formatNumber(row.tokens.per_resolved_conversation, language) })}
      />
      <Card measure="sla_breaches" label={t('measure.slaBreaches')} value={formatNumber(row.sla_breaches, language)} raw={row.sla_breaches} />
    </div>
  );
}

const COST_UNITS = [
  { unit: 'usd', scale: 1 },
  { unit: 'cents', scale: 100 },
  { unit: 'micro', scale: 1_000_000 },
] as const;

/**
 * Costs per conversation in the unit that puts the largest at 1 or more (an axis of tiny dollars reads as all
 * zeros). Plotted as numbers only: every sum and average on this page is exact.
 */
function costSeries(series: Series[]): { unit: (typeof COST_UNITS)[number]['unit']; series: Series[] } {
  const largest = Math.max(0, ...series.flatMap((entry) => entry.values.filter((value): value is number => value !== null)));
  const chosen = COST_UNITS.find((candidate) => largest === 0 || largest * candidate.scale >= 1) ?? COST_UNITS[2];
  return { unit: chosen.unit, series: series.map((entry) => ({ ...entry, values: entry.values.map((value) => (value === null ? null : value * chosen.scale)) })) };
}

/** The charts over the window's days: each a per-day line per agent (or per reason), gaps where a day has no measure. */
function Charts({ data, scope, days }: { data: InboxStats; scope: string[]; days: string[] }) {
  const { t } = useTranslation(['labour', 'inbox']);
  const charts = useMemo(() => {
    const times = days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    const rowsOf = (agent: string) => data.data.filter((row) => row.agent === agent);
    const inScope = data.data.filter((row) => row.agent !== null && scope.includes(row.agent));
    const perAgent = (value: (row: InboxStatsRow) => number | null): Series[] => scope.map((agent) => ({ label: agent, values: dailySeries(rowsOf(agent), days, value) }));
    const reasons = [...new Set(inScope.flatMap((row) => Object.keys(row.handoffs.by_reason)))].sort();
    const firstResponse = perAgent((row) => row.time_to_first_human_response_s.median);
    if (scope.length === 1 && scope[0]) {
      firstResponse.push({ label: t('chart.p90', { agent: scope[0] }), values: dailySeries(rowsOf(scope[0]), days, (row) => row.time_to_first_human_response_s.p90) });
    }
    return {
      times,
      conversations: [
        { label: t('measure.conversations'), values: dailyCounts(inScope, days, (row) => row.conversations) },
        { label: t('measure.closedByAgent'), values: dailyCounts(inScope, days, (row) => row.closed_by_agent) },
      ],
      containment: perAgent((row) => (row.containment === null ? null : Math.round(row.containment * 1000) / 10)),
      handoffs: reasons.map((reason) => ({ label: HUB_REASONS.has(reason) ? t(`inbox:reason.${reason}`) : reason, values: dailyCounts(inScope, days, (row) => row.handoffs.by_reason[reason] ?? 0) })),
      firstResponse,
      handling: perAgent((row) => row.human_handling_s.median),
      cost: costSeries(perAgent((row) => (row.cost_usd.per_resolved_conversation === null ? null : Number(row.cost_usd.per_resolved_conversation)))),
    };
  }, [data, scope, days, t]);
  const chart = (id: string, title: string, series: Series[]) => (
    <section className="panel labour-chart" aria-labelledby={`chart-${id}`}>
      <h3 id={`chart-${id}`}>{title}</h3>
      {series.every((entry) => entry.values.every((value) => value === null)) ? <p className="muted">{t('chart.empty')}</p> : <TimeChart times={charts.times} series={series} label={title} height={200} />}
    </section>
  );
  return (
    <div className="grid-2 labour-charts">
      {chart('conversations', t('chart.conversations'), charts.conversations)}
      {chart('containment', t('chart.containment'), charts.containment)}
      {chart('handoffs', t('chart.handoffs'), charts.handoffs)}
      {chart('first-response', t('chart.firstResponse'), charts.firstResponse)}
      {chart('handling', t('chart.handling'), charts.handling)}
      {chart('cost', t('chart.cost', { unit: t(`unit.${charts.cost.unit}`) }), charts.cost.series)}
    </div>
  );
}

function useColumns(withDay: boolean): Column<InboxStatsRow>[] {
  const { t, i18n } = useTranslation('labour');
  const language = i18n.language;
  const columns: Column<InboxStatsRow>[] = [
    { id: 'agent', header: t('table.agent'), cell: (row) => row.agent ?? t('noAgent') },
    { id: 'conversations', header: t('measure.conversations'), align: 'right', cell: (row) => formatNumber(row.conversations, language) },
    { id: 'containment', header: t('measure.containment'), align: 'right', cell: (row) => formatShare(row.containment, language) },
    { id: 'handoffs', header: t('measure.handoffs'), align: 'right', cell: (row) => formatNumber(row.handoffs.total, language) },
    { id: 'approvals', header: t('table.approvals'), align: 'right', cell: (row) => t('table.approvalsValue', { total: row.approvals.total, approved: row.approvals.approved, rejected: row.approvals.rejected }) },
    { id: 'first', header: t('table.firstResponse'), align: 'right', cell: (row) => formatSeconds(row.time_to_first_human_response_s.median, t, language) },
    { id: 'first_p90', header: t('table.firstResponseP90'), align: 'right', cell: (row) => formatSeconds(row.time_to_first_human_response_s.p90, t, language) },
    { id: 'handling', header: t('table.handling'), align: 'right', cell: (row) => formatSeconds(row.human_handling_s.median, t, language) },
    { id: 'resolved', header: t('measure.resolved'), align: 'right', cell: (row) => formatNumber(row.resolved_conversations, language) },
    { id: 'cost', header: t('measure.costPerResolved'), align: 'right', cell: (row) => formatUsd(row.cost_usd.per_resolved_conversation, language) },
    { id: 'tokens', header: t('table.tokensPerResolved'), align: 'right', cell: (row) => formatNumber(row.tokens.per_resolved_conversation, language) },
    { id: 'sla', header: t('measure.slaBreaches'), align: 'right', cell: (row) => formatNumber(row.sla_breaches, language) },
  ];
  if (withDay) columns.splice(1, 0, { id: 'day', header: t('table.day'), cell: (row) => row.day ?? '—' });
  return columns;
}

/** The report for one window: cards for the chosen agent (or all together), hand-offs by reason, per-agent totals, charts and the daily rows. */
export function LabourReport({ data, agent }: { data: InboxStats; agent: string }) {
  const { t, i18n } = useTranslation(['labour', 'inbox']);
  const totalsColumns = useColumns(false);
  const dailyColumns = useColumns(true);
  const days = useMemo(() => daysOf(data.from, data.to), [data.from, data.to]);
  const scopeRows = useMemo(() => (agent ? data.totals.filter((row) => row.agent === agent) : data.totals), [data.totals, agent]);
  const scope = useMemo(() => scopeRows.flatMap((row) => (row.agent === null ? [] : [row.agent])), [scopeRows]);
  if (data.totals.length === 0) return <p className="muted panel">{t('empty')}</p>;
  const combined = combine(scopeRows.length > 0 ? scopeRows : data.totals);
  const reasons = Object.entries(combined.handoffs.by_reason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const dailyRows = agent ? data.data.filter((row) => row.agent === agent) : data.data;
  return (
    <>
      <h2>{agent ? t('scope.agent', { agent }) : t('scope.all', { n: data.totals.length })}</h2>
      <Cards row={combined} />
      <div className="grid-2">
        <section className="panel" aria-labelledby="labour-reasons">
          <h3 id="labour-reasons">{t('reasons.heading')}</h3>
          {reasons.length === 0 ? (
            <p className="muted">{t('reasons.none')}</p>
          ) : (
            <table className="data-table labour-reasons">
              <caption className="sr-only">{t('reasons.heading')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reasons.reason')}</th>
                  <th scope="col" className="num">
                    {t('reasons.count')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {reasons.map(([reason, count]) => (
                  <tr key={reason} data-reason={reason}>
                    <td>{HUB_REASONS.has(reason) ? t(`inbox:reason.${reason}`) : reason}</td>
                    <td className="num">{formatNumber(count, i18n.language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel" aria-labelledby="labour-window">
          <h3 id="labour-window">{t('window.heading')}</h3>
          <p>{t('window.range', { from: data.from.slice(0, 10), to: days.at(-1) ?? data.to.slice(0, 10) })}</p>
          <p className="muted">{t('window.definitions')}</p>
        </section>
      </div>
      <h2>{t('perAgent')}</h2>
      <DataTable columns={totalsColumns} rows={data.totals} rowKey={(row) => row.agent ?? ''} caption={t('perAgent')} maxHeight={320} />
      <h2>{t('overTime')}</h2>
      <Charts data={data} scope={scope} days={days} />
      <h2>{t('daily')}</h2>
      <DataTable columns={dailyColumns} rows={dailyRows} rowKey={(row) => `${row.agent ?? ''} ${row.day ?? ''}`} caption={t('daily')} maxHeight={420} />
    </>
  );
}
