import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../auth/session';
import { type Column, DataTable } from '../../components/DataTable';
import { formatNumber, formatTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { TenantSelect } from '../../components/TenantSelect';
import { allSteps } from './workflow-steps';
import type { Workflow } from './workflow-types';
import { useWorkflowTenant } from './workflow-tenant';
import { listWorkflows, workflowsKey } from './workflows-api';

/** The tenant's workflows: name, the version it serves (and the latest), how many steps, when it last changed. */
export function WorkflowList() {
  const { t, i18n } = useTranslation(['workflows', 'common']);
  const session = useSession();
  const navigate = useNavigate();
  const { tenants, tenantId, choose, ready, link } = useWorkflowTenant();
  const workflows = useQuery({ queryKey: workflowsKey(tenantId), queryFn: () => listWorkflows(tenantId), enabled: ready });
  const open = (workflow: Workflow) => link(`/workflows/${encodeURIComponent(workflow.name)}`);
  const columns: Column<Workflow>[] = [
    {
      id: 'name',
      header: t('columns.name'),
      cell: (workflow) => (
        <Link to={open(workflow)} onClick={(event) => event.stopPropagation()}>
          {workflow.name}
        </Link>
      ),
    },
    { id: 'description', header: t('columns.description'), cell: (workflow) => workflow.description ?? '—' },
    {
      id: 'version',
      header: t('columns.activeVersion'),
      cell: (workflow) =>
        workflow.active_version === workflow.latest_version
          ? t('versionOf', { version: workflow.active_version })
          : t('versionOfLatest', { version: workflow.active_version, latest: workflow.latest_version }),
    },
    { id: 'steps', header: t('columns.steps'), align: 'right', cell: (workflow) => formatNumber(allSteps(workflow.document.spec.steps).length, i18n.language) },
    {
      id: 'updated',
      header: t('columns.updated'),
      cell: (workflow) => <time dateTime={workflow.updated_at}>{formatTime(workflow.updated_at, i18n.language)}</time>,
    },
  ];
  return (
    <section>
      <PageHeader title={t('title')}>
        <p className="muted">{t('subtitle')}</p>
      </PageHeader>
      {session.isAdmin ? (
        <div className="filters">
          <TenantSelect label={t('tenant')} tenants={tenants.data?.data ?? []} value={tenantId} onChange={choose} />
        </div>
      ) : null}
      {ready ? (
        <QueryState query={workflows}>
          {(data) =>
            data.data.length === 0 ? (
              <p className="muted">{t('empty')}</p>
            ) : (
              <DataTable
                caption={t('tableCaption')}
                columns={columns}
                rows={data.data}
                rowKey={(workflow) => workflow.name}
                onRowClick={(workflow) => void navigate(open(workflow))}
              />
            )
          }
        </QueryState>
      ) : tenants.isSuccess ? (
        <p className="muted">{t('noTenant')}</p>
      ) : null}
    </section>
  );
}
