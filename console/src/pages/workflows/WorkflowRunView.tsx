import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useSession } from '../../auth/session';
import { formatNumber, formatTime, formatUsd } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { StepPanel } from './StepPanel';
import { WorkflowGraph } from './WorkflowGraph';
import { WorkflowRunStatusBadge } from './WorkflowRunList';
import { workflowGraph } from './workflow-graph';
import { edgeStates, runStates } from './workflow-run-state';
import type { WorkflowDocument, WorkflowRun } from './workflow-types';
import {
  cancelWorkflowRun,
  FINAL_RUN_STATUSES,
  getWorkflowRun,
  listWorkflowVersions,
  workflowRunKey,
  workflowVersionsKey,
} from './workflows-api';

const pretty = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

/** One workflow run on its version's graph: each step coloured by its state, the selected one in the side panel; refreshed until the run ends. */
export function WorkflowRunView() {
  const { t } = useTranslation(['workflows', 'common']);
  const { name = '', id = '' } = useParams();
  const run = useQuery({
    queryKey: workflowRunKey(id),
    queryFn: () => getWorkflowRun(id),
    refetchInterval: (query) => (query.state.data && FINAL_RUN_STATUSES.includes(query.state.data.status) ? false : 1_500),
  });
  // The run names its workflow (the address's name is only how the page was reached).
  const workflow = run.data?.workflow ?? name;
  const versions = useQuery({ queryKey: workflowVersionsKey(null, workflow), queryFn: () => listWorkflowVersions(null, workflow), enabled: run.isSuccess });
  return (
    <section>
      <p>
        <Link to={`/workflows/${encodeURIComponent(name)}?tab=runs`}>{t('run.back', { name })}</Link>
      </p>
      <QueryState query={run}>
        {(data) => (
          <QueryState query={versions}>
            {(list) => {
              const document = list.data.find((version) => version.version === data.version)?.document;
              return document ? <RunView run={data} document={document} /> : <ErrorBanner error={new Error(t('run.noVersion', { version: data.version }))} />;
            }}
          </QueryState>
        )}
      </QueryState>
    </section>
  );
}

function RunView({ run, document }: { run: WorkflowRun; document: WorkflowDocument }) {
  const { t, i18n } = useTranslation(['workflows', 'common']);
  const session = useSession();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const graph = useMemo(() => workflowGraph(document), [document]);
  const states = useMemo(() => runStates(graph, run), [graph, run]);
  const edges = useMemo(() => edgeStates(graph, states, run), [graph, states, run]);
  const cancel = useMutation({
    mutationFn: () => cancelWorkflowRun(run.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: workflowRunKey(run.id) }),
  });
  const final = FINAL_RUN_STATUSES.includes(run.status);
  const node = graph.nodes.find((candidate) => candidate.id === selected) ?? null;
  const error = run.error as { code?: unknown; message?: unknown; step?: unknown } | null;
  return (
    <>
      <PageHeader
        title={t('run.title', { id: run.id })}
        actions={
          session.can('agents:run') && !final ? (
            <button type="button" className="button danger" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
              {t('run.cancel')}
            </button>
          ) : null
        }
      >
        <p className="muted">{final ? t('run.over') : t('run.live')}</p>
      </PageHeader>
      {cancel.isError ? <ErrorBanner error={cancel.error} /> : null}
      <div className="cards">
        <div className="card">
          <div className="label">{t('runs.status')}</div>
          <div className="value">
            <WorkflowRunStatusBadge status={run.status} />
          </div>
        </div>
        <div className="card">
          <div className="label">{t('run.workflow')}</div>
          <div className="value">
            <Link to={`/workflows/${encodeURIComponent(run.workflow)}`}>{t('run.workflowVersion', { name: run.workflow, version: run.version })}</Link>
          </div>
        </div>
        <div className="card">
          <div className="label">{t('runs.cost')}</div>
          <div className="value wf-run-cost">{formatUsd(run.usage.cost_usd, i18n.language)}</div>
        </div>
        <div className="card">
          <div className="label">{t('run.tokens')}</div>
          <div className="value">
            {t('run.tokenCounts', { input: formatNumber(run.usage.input_tokens, i18n.language), output: formatNumber(run.usage.output_tokens, i18n.language) })}
          </div>
        </div>
        <div className="card">
          <div className="label">{t('run.modelCalls')}</div>
          <div className="value">{formatNumber(run.usage.model_calls, i18n.language)}</div>
        </div>
        <div className="card">
          <div className="label">{t('runs.started')}</div>
          <div>{formatTime(run.created_at, i18n.language)}</div>
          <div className="label">{t('runs.finished')}</div>
          <div>{formatTime(run.finished_at, i18n.language)}</div>
        </div>
      </div>
      {error ? (
        <div className="error-banner wf-run-error" role="note">
          <strong>{t('run.failedAt', { step: String(error.step ?? '—') })}</strong> <code>{String(error.code ?? '')}</code> {String(error.message ?? '')}
        </div>
      ) : null}
      {run.pending && run.pending.length > 0 ? (
        <div className="notice wf-pending" role="note">
          {t('run.pending', { count: run.pending.length })}{' '}
          {run.pending.map((pending) => (
            <button key={pending.call_id} type="button" className="link" onClick={() => setSelected(pending.step)}>
              {pending.title}
            </button>
          ))}
        </div>
      ) : null}
      <div className="wf-layout">
        <WorkflowGraph
          graph={graph}
          states={states}
          edgeStates={edges}
          selected={selected}
          onSelect={setSelected}
          label={t('run.graphLabel', { id: run.id })}
        />
        <StepPanel key={selected ?? ''} run={run} node={node} state={node ? (states.get(node.id) ?? null) : null} />
      </div>
      <Legend />
      {final && run.output !== null && run.output !== undefined ? (
        <>
          <h2>{t('run.output')}</h2>
          <pre className="wf-output wf-run-output">{pretty(run.output)}</pre>
        </>
      ) : null}
    </>
  );
}

const LEGEND = ['completed', 'running', 'waiting', 'failed', 'skipped', 'not_reached'] as const;

function Legend() {
  const { t } = useTranslation('workflows');
  return (
    <ul className="wf-legend" aria-label={t('run.legend')}>
      {LEGEND.map((status) => (
        <li key={status}>
          <span className={`wf-swatch wf-state-${status}`} aria-hidden="true" />
          {t(`stepStatus.${status}`)}
        </li>
      ))}
    </ul>
  );
}
