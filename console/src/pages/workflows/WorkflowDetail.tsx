import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useSession } from '../../auth/session';
import { formatNumber, formatTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { useUrlParams } from '../../components/useUrlParams';
import { KindIcon } from './GraphNodes';
import { WorkflowGraph } from './WorkflowGraph';
import { WorkflowRunList } from './WorkflowRunList';
import { WorkflowTabs } from './WorkflowTabs';
import { WorkflowVersions } from './WorkflowVersions';
import { workflowGraph } from './workflow-graph';
import { allSteps, yamlOf } from './workflow-steps';
import { useWorkflowTenant } from './workflow-tenant';
import type { Workflow, WorkflowVersion } from './workflow-types';
import { getWorkflow, listWorkflowVersions, workflowKey, workflowVersionsKey } from './workflows-api';

const TABS = ['graph', 'versions', 'runs'] as const;
type TabId = (typeof TABS)[number];

/** One workflow: its graph (any version's), its versions with their diff and activation, and its runs. */
export function WorkflowDetail() {
  const { t } = useTranslation(['workflows', 'common']);
  const { name = '' } = useParams();
  const { tenantId, ready, link } = useWorkflowTenant();
  const workflow = useQuery({ queryKey: workflowKey(tenantId, name), queryFn: () => getWorkflow(tenantId, name), enabled: ready });
  return (
    <section>
      <p>
        <Link to={link('/workflows')}>{t('back')}</Link>
      </p>
      <QueryState query={workflow}>{(data) => <WorkflowView workflow={data} tenantId={tenantId} />}</QueryState>
    </section>
  );
}

function WorkflowView({ workflow, tenantId }: { workflow: Workflow; tenantId: string | null }) {
  const { t, i18n } = useTranslation(['workflows', 'common']);
  const session = useSession();
  const [params, update] = useUrlParams();
  const versions = useQuery({ queryKey: workflowVersionsKey(tenantId, workflow.name), queryFn: () => listWorkflowVersions(tenantId, workflow.name) });
  const tabs = TABS.filter((tab) => tab !== 'runs' || (!session.isAdmin && session.can('workflows:read')));
  const asked = params.get('tab') as TabId | null;
  const selected: TabId = asked && tabs.includes(asked) ? asked : 'graph';
  return (
    <>
      <PageHeader title={workflow.name}>
        <p className="muted">{workflow.description ?? t('serving', { version: workflow.active_version, latest: workflow.latest_version })}</p>
      </PageHeader>
      <dl className="cards">
        <div className="card">
          <dt className="label">{t('columns.activeVersion')}</dt>
          <dd className="value workflow-active-version">{t('versionOf', { version: workflow.active_version })}</dd>
        </div>
        <div className="card">
          <dt className="label">{t('columns.latestVersion')}</dt>
          <dd className="value">{t('versionOf', { version: workflow.latest_version })}</dd>
        </div>
        <div className="card">
          <dt className="label">{t('columns.steps')}</dt>
          <dd className="value">{formatNumber(allSteps(workflow.document.spec.steps).length, i18n.language)}</dd>
        </div>
        <div className="card">
          <dt className="label">{t('columns.maxCost')}</dt>
          <dd className="value">{workflow.document.spec.max_cost_usd ? `$${workflow.document.spec.max_cost_usd}` : t('common:none')}</dd>
        </div>
        <div className="card">
          <dt className="label">{t('columns.updated')}</dt>
          <dd>{formatTime(workflow.updated_at, i18n.language)}</dd>
        </div>
      </dl>
      <WorkflowTabs tabs={tabs} selected={selected} onSelect={(tab) => update({ tab })} label={t('tabs.label')} nameOf={(tab) => t(`tabs.${tab}`)} />
      <div role="tabpanel" id={`workflow-panel-${selected}`} aria-labelledby={`workflow-tab-${selected}`} className="tab-panel">
        {selected === 'graph' ? <GraphTab workflow={workflow} versions={versions.data?.data ?? []} /> : null}
        {selected === 'versions' ? (
          <QueryState query={versions}>
            {(data) => (
              <WorkflowVersions
                workflow={workflow}
                tenantId={tenantId}
                versions={data.data}
                canActivate={session.isAdmin || session.can('workflows:write')}
              />
            )}
          </QueryState>
        ) : null}
        {selected === 'runs' ? <WorkflowRunList name={workflow.name} /> : null}
      </div>
    </>
  );
}

/** The graph of the active version, or of the version chosen (`?version=`), and the selected step's definition. */
function GraphTab({ workflow, versions }: { workflow: Workflow; versions: WorkflowVersion[] }) {
  const { t } = useTranslation('workflows');
  const [params, update] = useUrlParams();
  const [selected, setSelected] = useState<string | null>(null);
  const asked = Number(params.get('version') ?? workflow.active_version);
  const version = versions.find((candidate) => candidate.version === asked);
  const document = version?.document ?? workflow.document;
  const shown = version?.version ?? workflow.active_version;
  const graph = useMemo(() => workflowGraph(document), [document]);
  const step = selected ? allSteps(document.spec.steps).find((candidate) => candidate.id === selected) : undefined;
  return (
    <>
      <div className="filters">
        <label>
          <span>{t('graph.version')}</span>
          <select name="graphVersion" value={shown} onChange={(event) => update({ version: event.target.value })}>
            {(versions.length > 0 ? versions : [{ version: workflow.active_version }]).map((candidate) => (
              <option key={candidate.version} value={candidate.version}>
                {candidate.version === workflow.active_version
                  ? t('versionActive', { version: candidate.version })
                  : t('versionOf', { version: candidate.version })}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="wf-layout">
        <WorkflowGraph graph={graph} selected={selected} onSelect={setSelected} label={t('graph.label', { name: workflow.name, version: shown })} />
        <aside className="wf-panel panel" aria-label={t('panel.label')}>
          {step ? (
            <>
              <h2 className="wf-panel-title">
                <KindIcon kind={step.kind} /> {step.id} <span className="badge">{t(`kinds.${step.kind}`)}</span>
              </h2>
              <pre className="wf-yaml">{yamlOf(step)}</pre>
            </>
          ) : (
            <p className="muted">{t('panel.pickStep')}</p>
          )}
        </aside>
      </div>
    </>
  );
}
