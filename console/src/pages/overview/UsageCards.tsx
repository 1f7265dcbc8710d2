import type { UsageCounts } from '@contract';
import { useTranslation } from 'react-i18next';
import { formatMs, formatNumber, formatUsd } from '../../components/format';

/** One measure: its words, the value as shown, the API's own value (`data-value`, what the tests compare), a line under it. */
function Card({ measure, label, value, raw, note }: { measure: string; label: string; value: string; raw: string | number | null; note?: string }) {
  return (
    <div className="card" data-measure={measure} data-value={raw === null ? '' : String(raw)}>
      <div className="label">{label}</div>
      <div className="value">{value}</div>
      {note ? <div className="muted overview-card-note">{note}</div> : null}
    </div>
  );
}

export const errorRate = (counts: Pick<UsageCounts, 'requests' | 'errors'>): number | null => (counts.requests === 0 ? null : counts.errors / counts.requests);

export function formatShare(value: number | null, language: string): string {
  if (value === null) return '—';
  return new Intl.NumberFormat(language === 'zh' ? 'zh-CN' : 'en-US', { style: 'percent', maximumFractionDigits: 2 }).format(value);
}

/** The range's totals: requests (failed ones apart), error rate, tokens, spend, and p50 / p99 latency of successful calls. */
export function UsageCards({ totals, relativeError }: { totals: UsageCounts; relativeError: number }) {
  const { t, i18n } = useTranslation('overview');
  const language = i18n.language;
  const bound = formatShare(relativeError, language);
  return (
    <div className="cards overview-cards">
      <Card
        measure="requests"
        label={t('measure.requests')}
        value={formatNumber(totals.requests, language)}
        raw={totals.requests}
        note={t('note.requests', { ok: formatNumber(totals.requests - totals.errors, language), failed: formatNumber(totals.errors, language) })}
      />
      <Card measure="error_rate" label={t('measure.errorRate')} value={formatShare(errorRate(totals), language)} raw={totals.errors} note={t('note.errorRate')} />
      <Card
        measure="tokens"
        label={t('measure.tokens')}
        value={formatNumber(totals.prompt_tokens + totals.completion_tokens, language)}
        raw={totals.prompt_tokens + totals.completion_tokens}
        note={t('note.tokens', { input: formatNumber(totals.prompt_tokens, language), output: formatNumber(totals.completion_tokens, language) })}
      />
      <Card measure="spend" label={t('measure.spend')} value={formatUsd(totals.cost_usd, language)} raw={totals.cost_usd} note={t('note.spend')} />
      <Card measure="latency_p50" label={t('measure.p50')} value={formatMs(totals.latency_p50_ms)} raw={totals.latency_p50_ms} note={t('note.latency', { bound })} />
      <Card measure="latency_p99" label={t('measure.p99')} value={formatMs(totals.latency_p99_ms)} raw={totals.latency_p99_ms} note={t('note.latency', { bound })} />
    </div>
  );
}
