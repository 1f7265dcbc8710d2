import type { InboxEvent, InboxRun, InboxRunStep, InboxTaskDetail } from '@contract';
import { useTranslation } from 'react-i18next';
import { formatMs, formatNumber, formatTime, formatUsd } from '../../components/format';
import { reasonLabel } from './task-labels';

const STEP_KINDS = new Set(['model', 'tool']);
const STEP_STATUSES = new Set(['started', 'finished', 'failed']);
const RUN_STATUSES = new Set(['queued', 'running', 'waiting_approval', 'handed_off', 'needs_attention', 'completed', 'failed', 'cancelled', 'budget_exceeded']);

const EVENT_TYPES = new Set(['created', 'claimed', 'renewed', 'released', 'lease_expired', 'message', 'tool_called', 'transferred', 'resolved', 'returned', 'cancelled', 'sla_breached']);

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

function Json({ label, value }: { label: string; value: unknown }) {
  return (
    <>
      <p className="step-part">{label}</p>
      <pre className="code" tabIndex={0} role="region" aria-label={label}>
        {pretty(value)}
      </pre>
    </>
  );
}

function StepItem({ step }: { step: InboxRunStep }) {
  const { t } = useTranslation('inbox');
  const kind = STEP_KINDS.has(step.kind) ? t(`step.kind.${step.kind}`) : step.kind;
  const status = STEP_STATUSES.has(step.status) ? t(`step.status.${step.status}`) : step.status;
  return (
    <li className={`step step-${step.status}`}>
      <details>
        <summary>
          <span className="step-title">{t('step.title', { seq: step.seq, kind, name: step.name })}</span>
          <span className={step.status === 'failed' ? 'badge bad' : step.status === 'finished' ? 'badge ok' : 'badge warn'}>{status}</span>
          <span className="muted">{formatMs(step.duration_ms)}</span>
        </summary>
        {step.input ? <Json label={t('step.input')} value={step.input} /> : null}
        {step.output ? <Json label={t('step.output')} value={step.output} /> : null}
        {step.error ? <Json label={t('step.error')} value={step.error} /> : null}
        {step.attempts > 1 ? <p className="muted">{t('step.attempts', { n: step.attempts })}</p> : null}
      </details>
    </li>
  );
}

function eventLabel(type: string, t: (key: string) => string): string {
  const name = type.replace(/^task\./, '');
  return EVENT_TYPES.has(name) ? t(`eventType.${name}`) : type;
}

export function runStatusLabel(status: string, t: (key: string) => string): string {
  return RUN_STATUSES.has(status) ? t(`runStatus.${status}`) : status;
}

function RunPanel({ run }: { run: InboxRun }) {
  const { t, i18n } = useTranslation('inbox');
  const steps = run.steps ?? [];
  return (
    <section className="panel context-panel" aria-labelledby="run-heading">
      <h3 id="run-heading">{t('run.heading')}</h3>
      <dl className="facts">
        <dt>{t('run.id')}</dt>
        <dd>
          <code>{run.id}</code>
        </dd>
        <dt>{t('run.status')}</dt>
        <dd>
          <span className="badge" data-run-status={run.status}>
            {runStatusLabel(run.status, t)}
          </span>
        </dd>
        <dt>{t('run.usage')}</dt>
        <dd>
          {t('run.usageValue', {
            tokens: formatNumber(run.usage.input_tokens + run.usage.output_tokens, i18n.language),
            calls: formatNumber(run.usage.model_calls, i18n.language),
            cost: formatUsd(run.usage.cost_usd, i18n.language),
          })}
        </dd>
      </dl>
      <h4>{t('run.steps', { n: steps.length })}</h4>
      {steps.length === 0 ? <p className="muted">{t('run.noSteps')}</p> : <ol className="steps">{steps.map((step) => <StepItem key={step.seq} step={step} />)}</ol>}
    </section>
  );
}

/** The right column: the run's steps (model calls, tool calls with their arguments and results), the task's facts and its history. */
export function TaskContext({ detail, actorName }: { detail: InboxTaskDetail; actorName: (actor: string | null) => string }) {
  const { t, i18n } = useTranslation('inbox');
  const time = (iso: string | null) => formatTime(iso, i18n.language);
  return (
    <>
      {detail.run ? <RunPanel run={detail.run} /> : <p className="muted panel">{t('run.none')}</p>}
      <section className="panel context-panel" aria-labelledby="details-heading">
        <h3 id="details-heading">{t('details.heading')}</h3>
        <dl className="facts">
          <dt>{t('details.id')}</dt>
          <dd>
            <code>{detail.id}</code>
          </dd>
          <dt>{t('details.queue')}</dt>
          <dd>{detail.queue}</dd>
          <dt>{t('details.priority')}</dt>
          <dd>{t(`priority.${detail.priority}`)}</dd>
          <dt>{t('details.reason')}</dt>
          <dd>{reasonLabel(detail.reason, t)}</dd>
          <dt>{t('details.conversation')}</dt>
          <dd>{detail.thread_id ? <code>{detail.thread_id}</code> : '—'}</dd>
          {detail.skills.length > 0 ? (
            <>
              <dt>{t('details.skills')}</dt>
              <dd>{detail.skills.join(', ')}</dd>
            </>
          ) : null}
          <dt>{t('details.created')}</dt>
          <dd>{time(detail.created_at)}</dd>
          <dt>{t('details.due')}</dt>
          <dd>{time(detail.due_at)}</dd>
          <dt>{t('details.claimed')}</dt>
          <dd>{time(detail.claimed_at)}</dd>
          <dt>{t('details.firstResponse')}</dt>
          <dd>{time(detail.first_response_at)}</dd>
          <dt>{t('details.lease')}</dt>
          <dd>{time(detail.lease_expires_at)}</dd>
          <dt>{t('details.closed')}</dt>
          <dd>{time(detail.closed_at)}</dd>
        </dl>
      </section>
      <section className="panel context-panel" aria-labelledby="history-heading">
        <h3 id="history-heading">{t('history.heading')}</h3>
        <ol className="history">
          {detail.events.map((event: InboxEvent) => (
            <li key={event.seq}>
              <span className="history-type">{t('history.event', { type: eventLabel(event.type, t), actor: actorName(event.actor) })}</span>
              <time className="muted" dateTime={event.at}>
                {time(event.at)}
              </time>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
