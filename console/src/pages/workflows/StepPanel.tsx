import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../auth/session';
import { formatMs, formatTime, formatUsd } from '../../components/format';
import { KindIcon } from './GraphNodes';
import { runPath } from './WorkflowRunList';
import type { GraphNode } from './workflow-graph';
import type { NodeRunState, NodeRunStatus } from './workflow-run-state';
import type { WorkflowRun, WorkflowRunStep, WorkflowStep } from './workflow-types';
import { findHumanTask } from './workflows-api';

const pretty = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

export function StepStatusText({ status }: { status: NodeRunStatus }) {
  const { t } = useTranslation('workflows');
  return <span className={`wf-status wf-text-${status}`}>{t(`stepStatus.${status}`)}</span>;
}

/**
 * The selected step of a run: what it did (output, error, timing, cost), where it led (the child run, the
 * inbox task), and for a step that ran many times (map items, loop passes) each of its keys; a map lists its items.
 */
export function StepPanel({ run, node, state }: { run: WorkflowRun; node: GraphNode | null; state: NodeRunState | null }) {
  const { t } = useTranslation('workflows');
  const [chosen, setChosen] = useState<string | null>(null);
  if (!node?.step || !state) {
    return (
      <aside className="wf-panel panel" aria-label={t('panel.label')}>
        <p className="muted">{t('panel.pickRunStep')}</p>
      </aside>
    );
  }
  const { instances } = state;
  const instance = instances.find((candidate) => candidate.key === chosen) ?? instances.at(-1);
  return (
    <aside className="wf-panel panel" aria-label={t('panel.label')} data-step={node.id}>
      <h2 className="wf-panel-title">
        <KindIcon kind={node.kind} /> {node.label} <span className="badge">{t(`kinds.${node.kind}`)}</span>
      </h2>
      <p>
        <StepStatusText status={state.status} />
      </p>
      {state.items ? (
        <>
          <p className="wf-panel-items">
            {t(state.items.totalKnown ? 'graph.itemsDone' : 'graph.itemsSoFar', { completed: state.items.completed, total: state.items.total })}
          </p>
          <h3>{t('panel.items')}</h3>
          <ul className="wf-item-list">
            {state.items.items.map((item) => (
              <li key={item.key}>
                <code>{item.key}</code> <StepStatusText status={item.status} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {instances.length === 0 ? <p className="muted">{t('panel.notReached')}</p> : null}
      {instances.length > 1 ? (
        <>
          <h3>{t('panel.instances', { count: instances.length })}</h3>
          <ul className="wf-instance-list">
            {instances.map((candidate) => (
              <li key={candidate.key}>
                <button
                  type="button"
                  className={`link${candidate.key === instance?.key ? ' wf-current' : ''}`}
                  aria-pressed={candidate.key === instance?.key}
                  onClick={() => setChosen(candidate.key)}
                >
                  {candidate.key}
                </button>{' '}
                <StepStatusText status={candidate.status} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {instance ? <InstanceDetails run={run} step={node.step} instance={instance} /> : null}
    </aside>
  );
}

function InstanceDetails({ run, step, instance }: { run: WorkflowRun; step: WorkflowStep; instance: WorkflowRunStep }) {
  const { t, i18n } = useTranslation('workflows');
  const error = instance.error as { code?: unknown; message?: unknown } | null;
  // A step that waits (for a person, a child run, a time) has only asked so far: it has not finished.
  const open = instance.status === 'running' || instance.status === 'waiting';
  return (
    <div className="wf-instance" data-key={instance.key}>
      <dl className="wf-facts">
        <div>
          <dt>{t('panel.key')}</dt>
          <dd>
            <code className="wf-instance-key">{instance.key}</code>
          </dd>
        </div>
        <div>
          <dt>{t('panel.attempt')}</dt>
          <dd>{instance.attempt}</dd>
        </div>
        <div>
          <dt>{t('panel.started')}</dt>
          <dd>{formatTime(instance.started_at, i18n.language)}</dd>
        </div>
        <div>
          <dt>{t('panel.finished')}</dt>
          <dd>{open ? '—' : formatTime(instance.finished_at, i18n.language)}</dd>
        </div>
        <div>
          <dt>{t('panel.duration')}</dt>
          <dd className="wf-duration">{open ? '—' : formatMs(instance.duration_ms)}</dd>
        </div>
        <div>
          <dt>{t('panel.cost')}</dt>
          <dd className="wf-step-cost">{formatUsd(instance.cost_usd, i18n.language)}</dd>
        </div>
      </dl>
      <StepLinks run={run} step={step} instance={instance} />
      {error ? (
        <div className="wf-step-error" role="note">
          <strong>{t('panel.error')}</strong> <code>{String(error.code ?? '')}</code> {String(error.message ?? '')}
        </div>
      ) : null}
      <h3>{t('panel.output')}</h3>
      {instance.output === null || instance.output === undefined ? (
        <p className="muted">{t('panel.noOutput')}</p>
      ) : (
        <pre className="wf-output">{pretty(instance.output)}</pre>
      )}
    </div>
  );
}

/** Where the step led: the child agent run or sub-workflow run, or the inbox task a person answers. */
function StepLinks({ run, step, instance }: { run: WorkflowRun; step: WorkflowStep; instance: WorkflowRunStep }) {
  const { t } = useTranslation('workflows');
  const session = useSession();
  const queue = step.kind === 'human' ? (step.queue ?? 'default') : null;
  const waiting = step.kind === 'human' && instance.status === 'waiting' && session.can('inbox:read');
  const task = useQuery({
    queryKey: ['workflow-runs', 'task', run.id, instance.key],
    queryFn: () => findHumanTask(queue ?? 'default', run.id, instance.key),
    enabled: waiting,
  });
  const links: React.JSX.Element[] = [];
  if (instance.child_run_id && step.kind === 'agent') {
    links.push(
      <Link key="child" className="wf-child-run" to={`/runs/${encodeURIComponent(instance.child_run_id)}`}>
        {t('panel.childRun', { id: instance.child_run_id })}
      </Link>,
    );
  }
  if (instance.child_run_id && step.kind === 'workflow') {
    links.push(
      <Link key="child" className="wf-child-run" to={runPath(step.workflow, instance.child_run_id)}>
        {t('panel.childWorkflowRun', { id: instance.child_run_id })}
      </Link>,
    );
  }
  if (queue !== null) {
    const to = task.data ? `/inbox?task=${encodeURIComponent(task.data)}` : `/inbox?queue=${encodeURIComponent(queue)}`;
    links.push(
      <Link key="inbox" className="wf-inbox-link" to={to}>
        {waiting ? t('panel.inboxTask') : t('panel.inboxQueue', { queue })}
      </Link>,
    );
  }
  if (links.length === 0) return null;
  return <p className="wf-links">{links}</p>;
}
