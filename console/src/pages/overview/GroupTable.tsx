import type { UsageSeriesGroup } from '@contract';
import { useTranslation } from 'react-i18next';
import { type Column, DataTable } from '../../components/DataTable';
import { formatMs, formatNumber, formatUsd } from '../../components/format';
import { groupLabel } from './group-label';
import type { Split } from './overview-range';
import { errorRate, formatShare } from './UsageCards';

/** The split's groups over the whole range, biggest spender first: what the charts' lines add up to, exactly. */
export function GroupTable({ groups, split }: { groups: UsageSeriesGroup[]; split: Split }) {
  const { t, i18n } = useTranslation('overview');
  const language = i18n.language;
  const columns: Column<UsageSeriesGroup>[] = [
    { id: 'group', header: t(`split.${split}`), cell: (row) => <span className={row.group === null ? 'muted' : 'overview-id'}>{groupLabel(t, split, row.group, row.other)}</span> },
    { id: 'requests', header: t('column.requests'), align: 'right', cell: (row) => formatNumber(row.requests, language) },
    { id: 'errors', header: t('column.errors'), align: 'right', cell: (row) => formatNumber(row.errors, language) },
    { id: 'errorRate', header: t('column.errorRate'), align: 'right', cell: (row) => formatShare(errorRate(row), language) },
    { id: 'tokens', header: t('column.tokens'), align: 'right', cell: (row) => formatNumber(row.prompt_tokens + row.completion_tokens, language) },
    { id: 'spend', header: t('column.spend'), align: 'right', cell: (row) => <span data-cost={row.cost_usd}>{formatUsd(row.cost_usd, language)}</span> },
    { id: 'p50', header: t('column.p50'), align: 'right', cell: (row) => formatMs(row.latency_p50_ms) },
    { id: 'p99', header: t('column.p99'), align: 'right', cell: (row) => formatMs(row.latency_p99_ms) },
  ];
  return (
    <DataTable
      columns={columns}
      rows={groups}
      rowKey={(row) => (row.other ? 'other' : `=${row.group ?? '\u0000'}`)}
      caption={t('groupsCaption', { split: t(`split.${split}`) })}
      maxHeight={420}
    />
  );
}
