import type { Project, Tenant } from '@contract';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { type Column, DataTable } from '../../components/DataTable';
import { formatDate, formatTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { tenantsQueryKey, useChosenTenant } from '../../components/TenantSelect';
import { NameDialog } from './NameDialog';
import { createProject, createTenant, listProjects, projectsKey } from './tenants-api';

/**
 * Tenants and projects. The hub admin sees every tenant, creates tenants, and picks one to see and add its
 * projects; a person sees their own tenant's projects and, with `projects:write` (owners), adds one.
 */
export default function TenantsPage() {
  const { t, i18n } = useTranslation(['tenants', 'common']);
  const session = useSession();
  const queryClient = useQueryClient();
  const { tenants, tenantId, choose } = useChosenTenant(session.isAdmin, session.me?.tenant_id ?? null);
  const [creatingTenant, setCreatingTenant] = useState(false);
  const language = i18n.language;
  const columns: Column<Tenant>[] = [
    {
      id: 'name',
      header: t('columns.name'),
      cell: (tenant) => (
        <button type="button" className="link" aria-pressed={tenant.id === tenantId} onClick={() => choose(tenant.id)}>
          {tenant.name}
        </button>
      ),
    },
    { id: 'id', header: t('columns.id'), cell: (tenant) => <code>{tenant.id}</code> },
    { id: 'created', header: t('columns.created'), cell: (tenant) => <time dateTime={tenant.created_at} title={formatTime(tenant.created_at, language)}>{formatDate(tenant.created_at, language)}</time> },
  ];
  const chosen = tenants.data?.data.find((tenant) => tenant.id === tenantId) ?? null;

  return (
    <section className="tenants-page">
      <PageHeader
        title={t('title')}
        actions={
          session.isAdmin ? (
            <button type="button" className="button" onClick={() => setCreatingTenant(true)}>
              {t('createTenant')}
            </button>
          ) : null
        }
      >
        <p className="muted">{session.isAdmin ? t('introAdmin') : t('introPerson')}</p>
      </PageHeader>
      {session.isAdmin ? (
        <div className="grid-2">
          <section className="panel" aria-labelledby="tenants-heading">
            <h2 id="tenants-heading">{t('tenantsHeading')}</h2>
            <QueryState query={tenants}>
              {(data) => (data.data.length === 0 ? <p className="muted">{t('noTenants')}</p> : <DataTable columns={columns} rows={data.data} rowKey={(tenant) => tenant.id} caption={t('tenantsHeading')} maxHeight={480} />)}
            </QueryState>
          </section>
          {tenantId ? <Projects tenantId={tenantId} tenantName={chosen?.name ?? tenantId} canCreate /> : null}
        </div>
      ) : (
        <Projects tenantId={tenantId} tenantName={null} canCreate={session.can('projects:write')} />
      )}
      {creatingTenant ? (
        <NameDialog
          title={t('createTenantTitle')}
          label={t('tenantName')}
          help={t('tenantNameHelp')}
          submit={t('createTenant')}
          onClose={() => setCreatingTenant(false)}
          onSave={async (name) => {
            const tenant = await createTenant(name);
            await queryClient.invalidateQueries({ queryKey: tenantsQueryKey });
            choose(tenant.id);
          }}
        />
      ) : null}
    </section>
  );
}

function Projects({ tenantId, tenantName, canCreate }: { tenantId: string | null; tenantName: string | null; canCreate: boolean }) {
  const { t, i18n } = useTranslation(['tenants', 'common']);
  const queryClient = useQueryClient();
  const projects = useQuery({ queryKey: projectsKey(tenantId), queryFn: () => listProjects(tenantId) });
  const [creating, setCreating] = useState(false);
  const language = i18n.language;
  const heading = tenantName ? t('projectsOf', { tenant: tenantName }) : t('projectsHeading');
  const columns: Column<Project>[] = [
    { id: 'name', header: t('columns.name'), cell: (project) => project.name },
    { id: 'id', header: t('columns.id'), cell: (project) => <code>{project.id}</code> },
    { id: 'created', header: t('columns.created'), cell: (project) => <time dateTime={project.created_at} title={formatTime(project.created_at, language)}>{formatDate(project.created_at, language)}</time> },
  ];
  return (
    <section className="panel" aria-labelledby="projects-heading">
      <div className="tenants-panel-header">
        <h2 id="projects-heading">{heading}</h2>
        {canCreate ? (
          <button type="button" className="button" onClick={() => setCreating(true)}>
            {t('createProject')}
          </button>
        ) : null}
      </div>
      <QueryState query={projects}>
        {(data) => (data.data.length === 0 ? <p className="muted">{t('noProjects')}</p> : <DataTable columns={columns} rows={data.data} rowKey={(project) => project.id} caption={heading} maxHeight={480} />)}
      </QueryState>
      {creating ? (
        <NameDialog
          title={tenantName ? t('createProjectIn', { tenant: tenantName }) : t('createProject')}
          label={t('projectName')}
          help={t('projectNameHelp')}
          submit={t('createProject')}
          onClose={() => setCreating(false)}
          onSave={async (name) => {
            await createProject(tenantId, name);
            await queryClient.invalidateQueries({ queryKey: ['tenants', 'projects'] });
            await queryClient.invalidateQueries({ queryKey: ['keys', 'projects'] });
          }}
        />
      ) : null}
    </section>
  );
}
