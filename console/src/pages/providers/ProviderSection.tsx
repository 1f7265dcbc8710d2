import type { BreakerStateName, ProviderHealth, ProviderTestResult, TargetHealth, UpstreamProvider } from '@contract';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Column, DataTable } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { formatNumber, formatTime } from '../../components/format';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { ProviderDialog } from './ProviderDialog';
import { deleteProvider, healthKey, listProviders, providerHealth, providersKey, testProvider } from './providers-api';
import { TestResult } from './TestResult';

const BREAKER_BADGE: Record<BreakerStateName, string> = { closed: 'badge ok', half_open: 'badge warn', open: 'badge bad' };

export function BreakerBadge({ state }: { state: BreakerStateName }) {
  const { t } = useTranslation('providers');
  return <span className={BREAKER_BADGE[state]}>{t(`breaker.${state}`)}</span>;
}

/** The providers: config-file ones read-only, admin ones editable; each with its breaker state and a connection test. */
export function ProviderSection() {
  const { t, i18n } = useTranslation(['providers', 'common']);
  const queryClient = useQueryClient();
  const providers = useQuery({ queryKey: providersKey, queryFn: listProviders });
  const list = providers.data?.data ?? [];
  const healths = useQueries({
    queries: list.map((provider) => ({ queryKey: healthKey(provider.id), queryFn: () => providerHealth(provider.id), refetchInterval: 15_000 })),
  });
  const healthOf = new Map<string, ProviderHealth>();
  for (const query of healths) if (query.data) healthOf.set(query.data.provider, query.data);
  const [dialog, setDialog] = useState<{ editing: UpstreamProvider | null } | null>(null);
  const [deleting, setDeleting] = useState<UpstreamProvider | null>(null);
  const [results, setResults] = useState<Record<string, ProviderTestResult>>({});
  const test = useMutation({
    mutationFn: (id: string) => testProvider(id),
    onSuccess: async (result, id) => {
      setResults((previous) => ({ ...previous, [id]: result }));
      await queryClient.invalidateQueries({ queryKey: healthKey(id) });
    },
  });

  const columns: Column<UpstreamProvider>[] = [
    {
      id: 'id',
      header: t('columns.provider'),
      cell: (provider) => (
        <>
          <strong>{provider.id}</strong> <span className="badge">{t(`source.${provider.source}`)}</span>
        </>
      ),
    },
    { id: 'type', header: t('columns.type'), cell: (provider) => (provider.preset ? `${t(`types.${provider.type}`)} · ${provider.preset}` : t(`types.${provider.type}`)) },
    {
      id: 'base_url',
      header: t('columns.baseUrl'),
      cell: (provider) => (provider.base_url ? <code>{provider.base_url}</code> : <span className="muted">{provider.preset ? t('presetDefault') : '—'}</span>),
    },
    {
      id: 'key',
      header: t('columns.key'),
      cell: (provider) => (provider.has_api_key ? <span className="badge ok">{t('keySet')}</span> : <span className="muted">{t('noKey')}</span>),
    },
    {
      id: 'status',
      header: t('columns.health'),
      cell: (provider) => {
        if (provider.status !== 'ready') {
          return (
            <span className="providers-problem">
              <span className="badge bad">{t('status.unavailable')}</span> <span className="providers-error-text">{provider.problem}</span>
            </span>
          );
        }
        const health = healthOf.get(provider.id);
        if (!health) return <span className="muted">{t('common:loading')}</span>;
        const failures = health.targets.reduce((sum, target) => sum + target.recent_failures, 0);
        const attempts = health.targets.reduce((sum, target) => sum + target.recent_attempts, 0);
        return (
          <>
            <span className="badge ok">{t('status.ready')}</span> <BreakerBadge state={health.breaker} />{' '}
            <span className="muted">
              {attempts === 0 ? t('noTraffic') : t('recentFailures', { failures: formatNumber(failures, i18n.language), attempts: formatNumber(attempts, i18n.language) })}
            </span>
          </>
        );
      },
    },
    { id: 'models', header: t('columns.models'), cell: (provider) => (provider.models.length > 0 ? provider.models.join(', ') : <span className="muted">{t('noModels')}</span>) },
    {
      id: 'actions',
      header: t('common:actions'),
      cell: (provider) => (
        <span className="providers-row-actions">
          <button
            type="button"
            className="button secondary"
            aria-label={t('test.buttonFor', { id: provider.id })}
            disabled={test.isPending && test.variables === provider.id}
            onClick={() => test.mutate(provider.id)}
          >
            {test.isPending && test.variables === provider.id ? t('test.running') : t('test.button')}
          </button>
          {provider.source === 'config' ? (
            <span className="muted">{t('readOnly')}</span>
          ) : (
            <>
              <button type="button" className="button secondary" aria-label={t('editFor', { id: provider.id })} onClick={() => setDialog({ editing: provider })}>
                {t('common:edit')}
              </button>
              <button type="button" className="button danger" aria-label={t('deleteFor', { id: provider.id })} onClick={() => setDeleting(provider)}>
                {t('common:delete')}
              </button>
            </>
          )}
        </span>
      ),
    },
  ];
  const tested = list.filter((provider) => results[provider.id]);

  const targets = list.flatMap((provider) => (healthOf.get(provider.id)?.targets ?? []).map((target) => ({ provider: provider.id, ...target })));
  const targetColumns: Column<TargetHealth & { provider: string }>[] = [
    { id: 'target', header: t('targetColumns.target'), cell: (target) => <code>{target.target}</code> },
    { id: 'models', header: t('targetColumns.models'), cell: (target) => target.models.join(', ') },
    { id: 'breaker', header: t('targetColumns.breaker'), cell: (target) => <BreakerBadge state={target.breaker} /> },
    { id: 'since', header: t('targetColumns.since'), cell: (target) => (target.since ? formatTime(target.since, i18n.language) : <span className="muted">{t('untried')}</span>) },
    { id: 'consecutive', header: t('targetColumns.consecutive'), align: 'right', cell: (target) => formatNumber(target.consecutive_failures, i18n.language) },
    {
      id: 'recent',
      header: t('targetColumns.recent'),
      align: 'right',
      cell: (target) => t('failuresOf', { failures: formatNumber(target.recent_failures, i18n.language), attempts: formatNumber(target.recent_attempts, i18n.language) }),
    },
    {
      id: 'last_error',
      header: t('targetColumns.lastError'),
      cell: (target) =>
        target.last_error ? (
          <span className="providers-error-text" title={target.last_error}>
            {target.last_failure_at ? `${formatTime(target.last_failure_at, i18n.language)} · ` : ''}
            {target.last_error}
          </span>
        ) : (
          <span className="muted">{t('common:none')}</span>
        ),
    },
  ];

  return (
    <section className="panel" aria-labelledby="providers-heading">
      <div className="providers-panel-header">
        <h2 id="providers-heading">{t('providersHeading')}</h2>
        <button type="button" className="button" onClick={() => setDialog({ editing: null })}>
          {t('addProvider')}
        </button>
      </div>
      <p className="muted">{t('providersIntro')}</p>
      <QueryState query={providers}>
        {() => <DataTable caption={t('providersCaption')} columns={columns} rows={list} rowKey={(provider) => provider.id} />}
      </QueryState>
      <div aria-live="polite" className="providers-test-log">
        {test.isError ? <ErrorBanner error={test.error} /> : null}
        {tested.length > 0 ? (
          <>
            <h3>{t('test.heading')}</h3>
            <ul aria-label={t('test.heading')}>
              {tested.map((provider) => (
                <li key={provider.id} data-provider={provider.id}>
                  <strong>{provider.id}</strong> <TestResult result={results[provider.id] as ProviderTestResult} />
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
      <h3>{t('targetsHeading')}</h3>
      <p className="muted">{t('targetsIntro')}</p>
      {targets.length === 0 ? (
        <p className="muted">{t('noTargets')}</p>
      ) : (
        <DataTable caption={t('targetsCaption')} columns={targetColumns} rows={targets} rowKey={(target) => target.target} maxHeight={320} />
      )}
      {dialog ? <ProviderDialog open onClose={() => setDialog(null)} editing={dialog.editing} /> : null}
      {deleting ? <DeleteProviderDialog provider={deleting} onClose={() => setDeleting(null)} /> : null}
    </section>
  );
}

function DeleteProviderDialog({ provider, onClose }: { provider: UpstreamProvider; onClose: () => void }) {
  const { t } = useTranslation(['providers', 'common']);
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteProvider(provider.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['providers'] });
      onClose();
    },
  });
  return (
    <Dialog title={t('deleteTitle', { id: provider.id })} open onClose={onClose}>
      <p>{provider.models.length > 0 ? t('deleteInUse', { models: provider.models.join(', ') }) : t('deleteConfirm')}</p>
      {remove.isError ? <ErrorBanner error={remove.error} /> : null}
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={onClose}>
          {t('common:cancel')}
        </button>
        <button type="button" className="button danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
          {t('common:delete')}
        </button>
      </div>
    </Dialog>
  );
}
