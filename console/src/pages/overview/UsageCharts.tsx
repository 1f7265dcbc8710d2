import type { UsageSeries } from '@contract';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { type Series, TimeChart } from '../../components/TimeChart';
import { groupLabel } from './group-label';
import { bucketStarts, type Range, type Split } from './overview-range';

type Measure = 'spend' | 'requests' | 'errors';

const groupKey = (group: string | null, other: boolean): string => (other ? 'other' : group === null ? 'null' : `=${group}`);

/**
 * Spend, requests and failed calls per bucket, one line per group of the split (the hub's `top` groups and
 * `other`). Every bucket of the range is on the time axis; a bucket without calls is 0. Spend is turned into a
 * number here only to place a point: totals are the API's exact strings, shown in the cards and tables.
 */
export function UsageCharts({ series, range, split }: { series: UsageSeries; range: Range; split: Split }) {
  const { t } = useTranslation('overview');
  const charts = useMemo(() => {
    const starts = bucketStarts(range, series.interval);
    const index = new Map(starts.map((start, position) => [start, position]));
    const lines = new Map<string, { label: string; values: Record<Measure, number[]> }>();
    for (const group of series.groups) {
      const zeros = () => new Array<number>(starts.length).fill(0);
      lines.set(groupKey(group.group, group.other), {
        label: groupLabel(t, split, group.group, group.other),
        values: { spend: zeros(), requests: zeros(), errors: zeros() },
      });
    }
    for (const point of series.data) {
      const line = lines.get(groupKey(point.group, point.other));
      const position = index.get(Date.parse(point.bucket));
      if (!line || position === undefined) continue;
      line.values.spend[position] = Number(point.cost_usd);
      line.values.requests[position] = point.requests;
      line.values.errors[position] = point.errors;
    }
    const of = (measure: Measure): Series[] => [...lines.values()].map((line) => ({ label: line.label, values: line.values[measure] }));
    return { times: starts.map((start) => start / 1000), spend: of('spend'), requests: of('requests'), errors: of('errors') };
  }, [series, range, split, t]);
  if (series.groups.length === 0) return <p className="muted">{t('noTraffic')}</p>;
  return (
    <div className="overview-charts">
      <section className="panel overview-chart-wide" aria-labelledby="overview-chart-spend">
        <h2 id="overview-chart-spend">{t('chart.spend')}</h2>
        <TimeChart times={charts.times} series={charts.spend} label={t('chart.spendLabel')} timeLabel={t('chart.time')} utc />
      </section>
      <section className="panel" aria-labelledby="overview-chart-requests">
        <h2 id="overview-chart-requests">{t('chart.requests')}</h2>
        <TimeChart times={charts.times} series={charts.requests} label={t('chart.requestsLabel')} timeLabel={t('chart.time')} utc height={200} />
      </section>
      <section className="panel" aria-labelledby="overview-chart-errors">
        <h2 id="overview-chart-errors">{t('chart.errors')}</h2>
        <TimeChart times={charts.times} series={charts.errors} label={t('chart.errorsLabel')} timeLabel={t('chart.time')} utc height={200} />
      </section>
    </div>
  );
}
