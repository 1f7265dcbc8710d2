import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorBanner } from '../../components/QueryState';
import { LiveStatus, PendingApprovals, RunOutcome, RunStatusBadge, RunTimeline } from '../../components/RunTimeline';
import { useRunLive, useRunRecord } from '../../components/useRunLive';
import { startTestRun } from './agents-api';

/** A test run of the agent's active version: a message in, the run followed live (its steps, its answer). */
export function AgentTestRun({ name }: { name: string }) {
  const { t } = useTranslation(['agents', 'runs']);
  const ids = useId();
  const [message, setMessage] = useState('');
  const [runId, setRunId] = useState<string | null>(null);
  const start = useMutation({ mutationFn: () => startTestRun(name, message), onSuccess: (run) => setRunId(run.id) });
  const run = useRunRecord(runId);
  const live = useRunLive(runId);
  return (
    <div className="agent-test-run">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (message.trim() !== '') start.mutate();
        }}
      >
        <label htmlFor={`${ids}-message`}>
          <span>{t('testRun.message')}</span>
        </label>
        <textarea id={`${ids}-message`} name="message" rows={3} value={message} onChange={(event) => setMessage(event.target.value)} aria-describedby={`${ids}-help`} />
        <p id={`${ids}-help`} className="muted">
          {t('testRun.help')}
        </p>
        <div className="page-actions">
          <button type="submit" className="button" disabled={start.isPending || message.trim() === ''}>
            {t('testRun.start')}
          </button>
        </div>
      </form>
      {start.isError ? <ErrorBanner error={start.error} /> : null}
      {runId && run.data ? (
        <div className="agent-test-result">
          <h3>
            {t('testRun.run')} <Link to={`/runs/${runId}`}>{runId}</Link> <RunStatusBadge status={run.data.status} />
          </h3>
          <LiveStatus state={live.state} resumes={live.resumes} />
          <PendingApprovals run={run.data} canDecide />
          <RunOutcome run={run.data} />
          <RunTimeline run={run.data} />
        </div>
      ) : null}
    </div>
  );
}
