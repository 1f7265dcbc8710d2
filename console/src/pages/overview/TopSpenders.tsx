import type { UsageRow } from '@contract';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { type Column, DataTable } from '../../components/DataTable';
import { formatNumber, formatUsd } from '../../components/format';

/** The keys or agents that spent the most over the range (`top` of the hub's totals, biggest first). */
export function TopSpenders({ rows, kind }: { rows: UsageRow[]; kind: 'key' | 'agent' }) {
  const { t, i18n } = useTranslation('overview');
  const language = i18n.language;
  const columns: Column<UsageRow>[] = [
    {
      id: 'name',
      header: kind === 'key' ? t('top.key') : t('top.agent'),
      cell: (row) =>
        row.group === null ? (
          <span className="muted">{t('group.noKey')}</span>
        ) : kind === 'key' ? (
          <Link className="overview-id" to={`/console/keys/${encodeURIComponent(row.group)}`}>
            {row.group}
          </Link>
        ) : (
          <span className="overview-id">{row.group}</span>
        ),
    },
    { id: 'requests', header: t('column.requests'), align: 'right', cell: (row) => formatNumber(row.requests, language) },
    { id: 'errors', header: t('column.errors'), align: 'right', cell: (row) => formatNumber(row.errors, language) },
    { id: 'spend', header: t('column.spend'), align: 'right', cell: (row) => formatUsd(row.cost_usd, language) },
  ];
  return (
    <DataTable
      columns={columns}
      rows={rows}
      rowKey={(row) => row.group ?? '\u0000'}
      caption={kind === 'key' ? t('top.keysCaption') : t('top.agentsCaption')}
      maxHeight={260}
    />
  );
}
