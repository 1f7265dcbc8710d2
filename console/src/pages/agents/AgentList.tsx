import type { Agent } from '@contract';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../auth/session';
import { type Column, DataTable } from '../../components/DataTable';
import { formatTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { TenantSelect } from '../../components/TenantSelect';
import { useAgentTenant } from './agent-tenant';
import { agentsKey, listAgents } from './agents-api';

/** The tenant's agents: name, the version it serves, its model, how many tools, when it last changed. */
export function AgentList() {
  const { t, i18n } = useTranslation(['agents', 'common']);
  const session = useSession();
  const navigate = useNavigate();
  const { tenants, tenantId, choose, ready, link } = useAgentTenant();
  const agents = useQuery({ queryKey: agentsKey(tenantId), queryFn: () => listAgents(tenantId), enabled: ready });
  const columns: Column<Agent>[] = [
    {
      id: 'name',
      header: t('columns.name'),
      cell: (agent) => (
        <Link to={link(`/agents/${encodeURIComponent(agent.name)}`)} onClick={(event) => event.stopPropagation()}>
          {agent.name}
        </Link>
      ),
    },
    {
      id: 'version',
      header: t('columns.activeVersion'),
      cell: (agent) =>
        agent.active_version === agent.latest_version
          ? t('versionOf', { version: agent.active_version })
          : t('versionOfLatest', { version: agent.active_version, latest: agent.latest_version }),
    },
    { id: 'model', header: t('columns.model'), cell: (agent) => <code>{agent.model}</code> },
    { id: 'tools', header: t('columns.tools'), align: 'right', cell: (agent) => String(agent.tools?.length ?? 0) },
    {
      id: 'source',
      header: t('columns.source'),
      cell: (agent) => <span className="badge">{t(`source.${agent.source}`)}</span>,
    },
    {
      id: 'updated',
      header: t('columns.updated'),
      cell: (agent) => (agent.updated_at ? <time dateTime={agent.updated_at}>{formatTime(agent.updated_at, i18n.language)}</time> : '—'),
    },
  ];
  return (
    <section>
      <PageHeader
        title={t('title')}
        actions={
          session.can('agents:write') && ready ? (
            <Link className="button" to={link('/agents/new')}>
              {t('newAgent')}
            </Link>
          ) : null
        }
      >
        <p className="muted">{t('subtitle')}</p>
      </PageHeader>
      {session.isAdmin ? (
        <div className="filters">
          <TenantSelect label={t('tenant')} tenants={tenants.data?.data ?? []} value={tenantId} onChange={choose} />
        </div>
      ) : null}
      {ready ? (
        <QueryState query={agents}>
          {(data) => (
            <DataTable
              caption={t('tableCaption')}
              columns={columns}
              rows={data.data}
              rowKey={(agent) => agent.name}
              onRowClick={(agent) => void navigate(link(`/agents/${encodeURIComponent(agent.name)}`))}
            />
          )}
        </QueryState>
      ) : tenants.isSuccess ? (
        <p className="muted">{t('noTenant')}</p>
      ) : null}
    </section>
  );
}
