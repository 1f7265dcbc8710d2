import type { LedgerRow, RequestBodies } from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { CopyButton } from '../../components/CopyButton';
import { Dialog } from '../../components/Dialog';
import { formatMs, formatNumber, formatTime, formatUsd } from '../../components/format';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { fetchBodies, fetchBodyLogging, setBodyLogging } from './requests-api';

const DEFAULT_RETENTION_DAYS = 30;

/** JSON pretty-printed when it parses (a cut body does not: it is shown as kept). */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** Everything the ledger holds about one request, and its kept bodies when its key keeps them. */
export function RequestDetail({ row, keyName, onClose }: { row: LedgerRow | null; keyName: (id: string | null) => string; onClose: () => void }) {
  const { t } = useTranslation(['requests', 'common']);
  return (
    <Dialog title={row ? t('detail.title', { id: row.request_id }) : ''} open={row !== null} onClose={onClose}>
      {row ? <DetailBody row={row} keyName={keyName} /> : null}
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={onClose}>
          {t('common:close')}
        </button>
      </div>
    </Dialog>
  );
}

function DetailBody({ row, keyName }: { row: LedgerRow; keyName: (id: string | null) => string }) {
  const { t, i18n } = useTranslation(['requests', 'common']);
  const language = i18n.language;
  const none = <span className="muted">{t('detail.none')}</span>;
  const optional = (value: string | null, asCode = false): ReactNode => (value === null ? none : asCode ? code(value) : value);
  const fields: [string, ReactNode][] = [
    ['requestId', idWithCopy(row.request_id, t('detail.copyId'))],
    ['clientRequestId', optional(row.client_request_id, true)],
    ['time', formatTime(row.created_at, language)],
    ['tenant', optional(row.tenant_id)],
    ['project', optional(row.project_id)],
    ['key', row.key_id ? keyName(row.key_id) : none],
    ['surface', row.surface],
    ['modelRequested', row.model_requested],
    ['modelServed', row.model_served],
    ['provider', optional(row.provider)],
    ['upstreamModel', optional(row.upstream_model)],
    ['status', statusOf(row)],
    ['errorCode', optional(row.error_code)],
    ['promptTokens', formatNumber(row.prompt_tokens, language)],
    ['completionTokens', formatNumber(row.completion_tokens, language)],
    ['cachedTokens', formatNumber(row.cached_tokens, language)],
    ['cacheWriteTokens', formatNumber(row.cache_write_tokens, language)],
    ['usageSource', t(`usageSource.${row.usage_source}`)],
    ['usageAnomaly', row.usage_anomaly ? t(`anomaly.${row.usage_anomaly}`) : none],
    ['cost', row.price_known ? formatUsd(row.cost_usd, language) : t('detail.priceUnknown')],
    ['latency', formatMs(row.latency_ms)],
    ['ttfb', formatMs(row.ttfb_ms)],
    ['stream', row.stream ? t('common:yes') : t('common:no')],
    ['attempts', formatNumber(row.attempts, language)],
    ['agent', optional(row.agent)],
    ['run', optional(row.run_id, true)],
    ['thread', optional(row.thread_id, true)],
  ];
  return (
    <>
      <dl className="facts requests-facts">
        {fields.map(([name, value]) => (
          <div key={name} className="requests-fact">
            <dt>{t(`fields.${name}`)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <Bodies row={row} />
    </>
  );
}

const code = (text: string): ReactNode => <code>{text}</code>;
const statusOf = (row: LedgerRow): ReactNode => <StatusBadge row={row} />;
const idWithCopy = (id: string, label: string): ReactNode => (
  <span className="requests-id">
    {code(id)} <CopyButton text={id} label={label} />
  </span>
);

export function StatusBadge({ row }: { row: LedgerRow }) {
  const { t } = useTranslation('requests');
  const kind = row.status < 400 ? 'ok' : row.status === 499 ? 'warn' : 'bad';
  return (
    <span className={`badge ${kind}`}>
      {row.status} {t(`statusKind.${kind}`)}
    </span>
  );
}

function Bodies({ row }: { row: LedgerRow }) {
  const { t, i18n } = useTranslation(['requests', 'common']);
  const bodies = useQuery({ queryKey: ['requests', 'bodies', row.request_id], queryFn: () => fetchBodies(row.request_id), retry: false });
  return (
    <section className="requests-bodies" aria-labelledby="requests-bodies-title">
      <h3 id="requests-bodies-title">{t('bodies.title')}</h3>
      <QueryState query={bodies}>
        {(kept) =>
          kept ? (
            <KeptBodies bodies={kept} language={i18n.language} />
          ) : (
            <>
              <p className="muted">{t('bodies.notKept')}</p>
              {row.key_id ? <KeepBodies keyId={row.key_id} /> : null}
            </>
          )
        }
      </QueryState>
    </section>
  );
}

function KeptBodies({ bodies, language }: { bodies: RequestBodies; language: string }) {
  const { t } = useTranslation('requests');
  return (
    <>
      <p className="muted">{t('bodies.redacted', { expires: formatTime(bodies.expires_at, language) })}</p>
      <h4>{t('bodies.request')}</h4>
      {bodies.request.truncated ? <p className="badge warn">{t('bodies.truncated')}</p> : null}
      <pre className="code requests-body" tabIndex={0} aria-label={t('bodies.request')} data-testid="request-body">
        {pretty(bodies.request.body)}
      </pre>
      <h4>{bodies.response.kind === 'stream' ? t('bodies.streamResponse') : t('bodies.response')}</h4>
      {bodies.response.truncated ? <p className="badge warn">{t('bodies.truncated')}</p> : null}
      <pre className="code requests-body" tabIndex={0} aria-label={t('bodies.response')} data-testid="response-body">
        {bodies.response.kind === 'json' ? pretty(bodies.response.body) : bodies.response.body}
      </pre>
    </>
  );
}

/** Turning body retention on or off for the row's key, for those who may change keys. */
function KeepBodies({ keyId }: { keyId: string }) {
  const { t, i18n } = useTranslation(['requests', 'common']);
  const session = useSession();
  const queryClient = useQueryClient();
  const mayRead = session.isAdmin || session.can('keys:read');
  const mayChange = session.isAdmin || session.can('service_keys:write');
  const setting = useQuery({ queryKey: ['requests', 'body-logging', keyId], queryFn: () => fetchBodyLogging(keyId), enabled: mayRead, retry: false });
  const change = useMutation({
    mutationFn: (enabled: boolean) => setBodyLogging(keyId, enabled, setting.data?.effective.retention_days ?? DEFAULT_RETENTION_DAYS),
    onSuccess: (data) => queryClient.setQueryData(['requests', 'body-logging', keyId], data),
  });
  if (!mayRead || !setting.data) return null;
  const effective = setting.data.effective;
  return (
    <div className="requests-keep">
      <p role="status">
        {effective.enabled
          ? t(effective.source === 'project' ? 'bodies.onForProject' : 'bodies.onForKey', { days: effective.retention_days })
          : t('bodies.offForKey')}
      </p>
      {mayChange ? (
        <button type="button" className="button secondary" onClick={() => change.mutate(!effective.enabled)} aria-disabled={change.isPending}>
          {effective.enabled ? t('bodies.turnOff') : t('bodies.turnOn', { days: DEFAULT_RETENTION_DAYS })}
        </button>
      ) : null}
      {change.isError ? <ErrorBanner error={change.error} /> : null}
      <p className="muted">{t('bodies.howItWorks', { bytes: formatNumber(setting.data.max_body_bytes, i18n.language) })}</p>
    </div>
  );
}
