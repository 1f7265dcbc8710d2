import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useSession } from '../../auth/session';
import { formatNumber, formatTime, formatUsd } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { LiveStatus, PendingApprovals, RunActivity, RunOutcome, RunStatusBadge, RunTimeline } from '../../components/RunTimeline';
import { isFinalRun, runKey, useRunLive, useRunRecord } from '../../components/useRunLive';
import { cancelRun } from './runs-api';

/** One run: what it cost, its timeline of model and tool calls, live while it moves, and a cancel button. */
export function RunDetail() {
  const { t, i18n } = useTranslation(['runs', 'common']);
  const { id = '' } = useParams();
  const session = useSession();
  const queryClient = useQueryClient();
  const run = useRunRecord(id);
  const live = useRunLive(id);
  const cancel = useMutation({
    mutationFn: () => cancelRun(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: runKey(id) }),
  });
  const canRun = session.can('agents:run');
  return (
    <section>
      <p>
        <Link to="/runs">{t('detail.back')}</Link>
      </p>
      <QueryState query={run}>
        {(data) => (
          <>
            <PageHeader
              title={t('detail.title', { id: data.id })}
              actions={
                canRun && !isFinalRun(data.status) ? (
                  <button type="button" className="button danger" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
                    {t('detail.cancel')}
                  </button>
                ) : null
              }
            >
              <LiveStatus state={live.state} resumes={live.resumes} />
            </PageHeader>
            {cancel.isError ? <ErrorBanner error={cancel.error} /> : null}
            {live.error ? <ErrorBanner error={live.error} /> : null}
            <div className="cards">
              <div className="card">
                <div className="label">{t('detail.status')}</div>
                <div className="value">
                  <RunStatusBadge status={data.status} />
                </div>
              </div>
              <div className="card">
                <div className="label">{t('detail.agent')}</div>
                <div className="value run-agent">
                  <Link to={`/agents/${encodeURIComponent(data.agent)}`}>{t('agentVersion', { agent: data.agent, version: data.version })}</Link>
                </div>
              </div>
              <div className="card">
                <div className="label">{t('detail.cost')}</div>
                <div className="value run-total-cost">{formatUsd(data.usage.cost_usd, i18n.language)}</div>
              </div>
              <div className="card">
                <div className="label">{t('detail.tokens')}</div>
                <div className="value">{t('step.tokenCounts', { input: formatNumber(data.usage.input_tokens, i18n.language), output: formatNumber(data.usage.output_tokens, i18n.language) })}</div>
              </div>
              <div className="card">
                <div className="label">{t('detail.modelCalls')}</div>
                <div className="value">{formatNumber(data.usage.model_calls, i18n.language)}</div>
              </div>
              <div className="card">
                <div className="label">{t('detail.started')}</div>
                <div className="run-time">{formatTime(data.created_at, i18n.language)}</div>
                <div className="label">{t('detail.finished')}</div>
                <div className="run-time">{formatTime(data.finished_at, i18n.language)}</div>
              </div>
            </div>
            <PendingApprovals run={data} canDecide={canRun} />
            <RunOutcome run={data} />
            <RunTimeline run={data} />
            <RunActivity events={live.events} />
          </>
        )}
      </QueryState>
    </section>
  );
}
