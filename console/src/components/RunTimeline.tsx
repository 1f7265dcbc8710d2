import type { PendingApproval, Run, RunEvent, RunStatus, RunStep } from '@contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { formatMs, formatNumber, formatTime, formatUsd } from './format';
import { ErrorBanner } from './QueryState';
import { type LiveState, runKey } from './useRunLive';

/**
 * A run as the Runs page and the Agents page's test run show it: its status, its steps in order (each model
 * call with its tokens, cost and latency from the ledger; each tool call with its arguments, result and
 * duration), the calls waiting for a person, its final answer and its events. Texts: the `runs` catalogue.
 */

const TONES: Record<RunStatus, 'ok' | 'warn' | 'bad' | 'info'> = {
  queued: 'info',
  running: 'info',
  waiting_approval: 'warn',
  handed_off: 'warn',
  needs_attention: 'warn',
  completed: 'ok',
  failed: 'bad',
  cancelled: 'bad',
  budget_exceeded: 'bad',
  max_turns: 'bad',
};

/** The status in words (never by colour alone). */
export function RunStatusBadge({ status }: { status: RunStatus }) {
  const { t } = useTranslation('runs');
  return <span className={`badge ${TONES[status] ?? ''} run-status`}>{t(`status.${status}`, { defaultValue: status })}</span>;
}

const pretty = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function ModelStep({ step }: { step: RunStep }) {
  const { t, i18n } = useTranslation('runs');
  const output = step.output as { content?: string | null; tool_calls?: { id: string; name: string; arguments: string }[] } | null;
  const calls = output?.tool_calls ?? [];
  return (
    <>
      <dl className="run-facts">
        <Fact label={t('step.tokens')}>
          {step.usage ? t('step.tokenCounts', { input: formatNumber(step.usage.input_tokens, i18n.language), output: formatNumber(step.usage.output_tokens, i18n.language) }) : '—'}
        </Fact>
        <Fact label={t('step.cost')}>{step.usage ? formatUsd(step.usage.cost_usd, i18n.language) : '—'}</Fact>
        <Fact label={t('step.latency')}>{step.usage ? formatMs(step.usage.latency_ms) : '—'}</Fact>
        <Fact label={t('step.duration')}>{formatMs(step.duration_ms)}</Fact>
      </dl>
      {output?.content ? (
        <div className="run-reply">
          <h4>{t('step.reply')}</h4>
          <p>{output.content}</p>
        </div>
      ) : null}
      {calls.length > 0 ? (
        <div>
          <h4>{t('step.requested')}</h4>
          <ul className="run-requested">
            {calls.map((call) => (
              <li key={call.id}>
                <code>{call.name}</code> <code className="muted">{call.arguments}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}

function ToolStep({ step }: { step: RunStep }) {
  const { t } = useTranslation('runs');
  const input = step.input as { arguments?: unknown } | null;
  const output = step.output as { type?: string; content?: unknown; message?: unknown } | null;
  const failed = step.status === 'failed' || output?.type === 'error';
  const result = output?.type === 'result' ? output.content : undefined;
  const problem = step.error?.message ?? (output?.type === 'error' ? output.message : undefined) ?? (output && output.type !== 'result' && output.type !== 'error' ? output : undefined);
  return (
    <>
      <dl className="run-facts">
        <Fact label={t('step.duration')}>{formatMs(step.duration_ms)}</Fact>
        {step.attempts > 1 ? <Fact label={t('step.attempts')}>{step.attempts}</Fact> : null}
      </dl>
      <h4>{t('step.arguments')}</h4>
      <pre className="code">{pretty(input?.arguments ?? {})}</pre>
      {result !== undefined ? (
        <>
          <h4>{t('step.result')}</h4>
          <pre className="code run-result">{pretty(result)}</pre>
        </>
      ) : null}
      {failed || problem !== undefined ? (
        <>
          <h4>{t('step.error')}</h4>
          <pre className="code run-error">{pretty(problem ?? '')}</pre>
        </>
      ) : null}
    </>
  );
}

function StepItem({ step }: { step: RunStep }) {
  const { t, i18n } = useTranslation('runs');
  const title = step.kind === 'model' ? t('step.model', { model: step.name }) : step.kind === 'tool' ? t('step.tool', { tool: step.name }) : t('step.other', { kind: step.kind, name: step.name });
  return (
    <li className={`run-step run-step-${step.kind}`} data-seq={step.seq}>
      <div className="run-step-head">
        <h3>
          <span className="run-step-seq">{t('step.number', { seq: step.seq })}</span> {title}
        </h3>
        <span className={`badge ${step.status === 'finished' ? 'ok' : step.status === 'failed' ? 'bad' : 'info'}`}>{t(`stepStatus.${step.status}`, { defaultValue: step.status })}</span>
        <time className="muted" dateTime={step.started_at}>
          {formatTime(step.started_at, i18n.language)}
        </time>
      </div>
      {step.kind === 'model' ? <ModelStep step={step} /> : step.kind === 'tool' ? <ToolStep step={step} /> : <pre className="code">{pretty(step.output ?? step.input ?? {})}</pre>}
    </li>
  );
}

/** The run's steps in the order it took them. */
export function RunTimeline({ run }: { run: Run }) {
  const { t } = useTranslation('runs');
  const steps = run.steps ?? [];
  return (
    <section className="panel run-panel" aria-labelledby="run-timeline-title">
      <h2 id="run-timeline-title">{t('timeline.title')}</h2>
      {steps.length === 0 ? <p className="muted">{t('timeline.empty')}</p> : <ol className="run-timeline">{steps.map((step) => <StepItem key={step.seq} step={step} />)}</ol>}
    </section>
  );
}

/** Tool calls waiting for a person; approving or rejecting needs `agents:run`. */
export function PendingApprovals({ run, canDecide }: { run: Run; canDecide: boolean }) {
  const { t } = useTranslation(['runs', 'common']);
  const queryClient = useQueryClient();
  const decide = useMutation({
    mutationFn: (decision: { call_id: string; decision: 'approve' | 'reject' }) =>
      api<Run>(`/v1/runs/${encodeURIComponent(run.id)}/approvals`, { method: 'POST', body: decision }),
    onSuccess: (updated) => queryClient.setQueryData(runKey(run.id), (current: Run | undefined) => (current ? { ...current, ...updated, steps: current.steps } : updated)),
  });
  const pending: PendingApproval[] = run.status === 'waiting_approval' ? (run.pending_approvals ?? []) : [];
  if (pending.length === 0) return null;
  return (
    <section className="panel run-panel run-approvals" aria-labelledby="run-approvals-title">
      <h2 id="run-approvals-title">{t('approvals.title', { n: pending.length })}</h2>
      {decide.isError ? <ErrorBanner error={decide.error} /> : null}
      <ul>
        {pending.map((call) => (
          <li key={call.call_id}>
            <p>
              {t('approvals.call')} <code>{call.tool}</code>
            </p>
            <pre className="code">{pretty(call.arguments)}</pre>
            {canDecide ? (
              <div className="page-actions">
                <button type="button" className="button" disabled={decide.isPending} onClick={() => decide.mutate({ call_id: call.call_id, decision: 'approve' })}>
                  {t('approvals.approve')}
                </button>
                <button type="button" className="button secondary" disabled={decide.isPending} onClick={() => decide.mutate({ call_id: call.call_id, decision: 'reject' })}>
                  {t('approvals.reject')}
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The final answer, or why there is none. */
export function RunOutcome({ run }: { run: Run }) {
  const { t } = useTranslation('runs');
  const text = run.output?.text;
  if (run.error) {
    return (
      <section className="panel run-panel" aria-labelledby="run-outcome-title">
        <h2 id="run-outcome-title">{t('outcome.error')}</h2>
        <p className="run-error-text">{String(run.error.message ?? run.error.code ?? '')}</p>
      </section>
    );
  }
  if (text === undefined && run.output?.json === undefined) return null;
  return (
    <section className="panel run-panel" aria-labelledby="run-outcome-title">
      <h2 id="run-outcome-title">{t('outcome.title')}</h2>
      {typeof text === 'string' && text !== '' ? <p className="run-output">{text}</p> : null}
      {run.output?.json !== undefined ? <pre className="code">{pretty(run.output.json)}</pre> : null}
    </section>
  );
}

/** Whether the page follows the run now, in words (a live region, so a reconnect is announced). */
export function LiveStatus({ state, resumes }: { state: LiveState; resumes: number }) {
  const { t } = useTranslation('runs');
  return (
    <p className={`run-live run-live-${state}`} role="status">
      {t(`live.${state}`)}
      {resumes > 0 ? ` · ${t('live.resumes', { n: resumes })}` : ''}
    </p>
  );
}

/** The run's events, each once, in the order the hub numbered them. */
export function RunActivity({ events }: { events: RunEvent[] }) {
  const { t, i18n } = useTranslation('runs');
  const describe = (type: string) => {
    const key = `events.${type.replace('.', '_')}`;
    return i18n.exists(key, { ns: 'runs' }) ? t(key) : '';
  };
  return (
    <section className="panel run-panel" aria-labelledby="run-activity-title">
      <h2 id="run-activity-title">{t('activity.title')}</h2>
      {events.length === 0 ? (
        <p className="muted">{t('activity.empty')}</p>
      ) : (
        <ol className="run-activity">
          {events.map((event) => (
            <li key={event.seq} data-seq={event.seq}>
              <span className="run-event-seq">{event.seq}</span> <code>{event.type}</code> <span className="muted">{describe(event.type)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
