import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../auth/session';
import { type Column, DataTable } from '../../components/DataTable';
import { formatDate, formatNumber, formatTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { TenantSelect, useChosenTenant } from '../../components/TenantSelect';
import { useKeyAccess } from './key-access';
import { KeyFormDialog } from './KeyFormDialog';
import { type KeyRow, keysKey, listKeys, listModelNames, listProjects, listUsers } from './keys-api';
import { RevokeKeyDialog } from './RevokeKeyDialog';

type StatusFilter = 'active' | 'revoked' | 'all';
type KindFilter = 'all' | 'service' | 'personal';

/** Names for ids: a tenant's projects and people, as far as the caller may read them. */
export function useKeyContext(tenantId: string | null) {
  const session = useSession();
  const ready = session.isAdmin ? tenantId !== null : true;
  const projects = useQuery({ queryKey: ['keys', 'projects', tenantId, session.isAdmin], queryFn: () => listProjects(tenantId), enabled: ready && session.can('projects:read') });
  const users = useQuery({ queryKey: ['keys', 'users', tenantId, session.isAdmin], queryFn: () => listUsers(tenantId), enabled: ready && session.can('users:read') });
  const projectNames = new Map((projects.data?.data ?? []).map((project) => [project.id, project.name]));
  const userNames = new Map((users.data?.data ?? []).map((user) => [user.id, user.name || user.email]));
  return { projects: projects.data?.data ?? [], projectNames, userNames };
}

export function KeyList() {
  const { t, i18n } = useTranslation(['keys', 'common']);
  const session = useSession();
  const access = useKeyAccess();
  const { tenants, tenantId, choose } = useChosenTenant(session.isAdmin, session.me?.tenant_id ?? null);
  const keys = useQuery({ queryKey: keysKey(tenantId), queryFn: () => listKeys(tenantId), enabled: tenantId !== null || !session.isAdmin });
  const { projects, projectNames, userNames } = useKeyContext(tenantId);
  const models = useQuery({ queryKey: ['keys', 'model-names'], queryFn: listModelNames, enabled: session.isAdmin, retry: false });
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('active');
  const [kind, setKind] = useState<KindFilter>('all');
  const [project, setProject] = useState('');
  const [dialog, setDialog] = useState<{ editing: KeyRow | null } | null>(null);
  const [revoking, setRevoking] = useState<KeyRow | null>(null);
  const tenantName = session.isAdmin ? (tenants.data?.data.find((tenant) => tenant.id === tenantId)?.name ?? null) : null;

  const filtered = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (keys.data?.data ?? []).filter((key) => {
      if (status === 'active' && key.revoked_at) return false;
      if (status === 'revoked' && !key.revoked_at) return false;
      if (kind === 'service' && key.user_id) return false;
      if (kind === 'personal' && !key.user_id) return false;
      if (project && key.project_id !== project) return false;
      if (!needle) return true;
      const owner = key.user_id ? (userNames.get(key.user_id) ?? key.user_id) : '';
      return [key.name ?? '', key.key_prefix, key.id, owner, ...(key.models ?? [])].some((text) => text.toLowerCase().includes(needle));
    });
  }, [keys.data, search, status, kind, project, userNames]);

  const columns: Column<KeyRow>[] = [
    {
      id: 'name',
      header: t('columns.name'),
      cell: (key) => <Link to={`/keys/${key.id}${session.isAdmin && tenantId ? `?tenant=${encodeURIComponent(tenantId)}` : ''}`}>{key.name ?? t('unnamed')}</Link>,
    },
    { id: 'prefix', header: t('columns.prefix'), cell: (key) => <code>{key.key_prefix}</code> },
    { id: 'project', header: t('columns.project'), cell: (key) => (key.project_id ? (projectNames.get(key.project_id) ?? key.project_id) : <span className="muted">{t('noProject')}</span>) },
    {
      id: 'scopes',
      header: t('columns.scopes'),
      cell: (key) =>
        key.scopes.length === 0 ? (
          <span className="muted">{t('noScopes')}</span>
        ) : (
          key.scopes.map((scope) => (
            <span key={scope} className="badge keys-scope">
              {scope}
            </span>
          ))
        ),
    },
    { id: 'models', header: t('columns.models'), cell: (key) => (key.models ? key.models.join(', ') : <span className="muted">{t('allModels')}</span>) },
    { id: 'limits', header: t('columns.limits'), cell: (key) => limitsText(key, t, i18n.language) },
    {
      id: 'owner',
      header: t('columns.owner'),
      cell: (key) => (key.user_id ? (userNames.get(key.user_id) ?? key.user_id) : <span className="badge">{t('serviceKey')}</span>),
    },
    { id: 'created', header: t('columns.created'), cell: (key) => <time dateTime={key.created_at} title={formatTime(key.created_at, i18n.language)}>{formatDate(key.created_at, i18n.language)}</time> },
    {
      id: 'status',
      header: t('columns.status'),
      cell: (key) =>
        key.revoked_at ? (
          <span className="badge bad" title={formatTime(key.revoked_at, i18n.language)}>
            {t('status.revoked')}
          </span>
        ) : (
          <span className="badge ok">{t('status.active')}</span>
        ),
    },
  ];
  const rowActions = (key: KeyRow) => (
    <span className="keys-row-actions">
      {access.canEdit(key) ? (
        <button type="button" className="button secondary" onClick={() => setDialog({ editing: key })}>
          {t('actions.edit')}
        </button>
      ) : null}
      {access.canRevoke(key) ? (
        <button type="button" className="button danger" onClick={() => setRevoking(key)}>
          {t('actions.revoke')}
        </button>
      ) : null}
    </span>
  );
  const anyActions = (keys.data?.data ?? []).some((key) => access.canEdit(key) || access.canRevoke(key));
  if (anyActions) columns.push({ id: 'actions', header: t('common:actions'), cell: rowActions });

  return (
    <section className="keys-page">
      <PageHeader
        title={t('title')}
        actions={
          access.canCreate && tenantId ? (
            <button type="button" className="button" onClick={() => setDialog({ editing: null })}>
              {t('actions.create')}
            </button>
          ) : null
        }
      >
        <p className="muted">{t('intro')}</p>
      </PageHeader>
      {session.isAdmin ? (
        <QueryState query={tenants}>
          {(data) =>
            data.data.length === 0 ? (
              <p className="muted">{t('noTenants')}</p>
            ) : (
              <div className="filters">
                <TenantSelect label={t('tenant')} tenants={data.data} value={tenantId} onChange={choose} />
              </div>
            )
          }
        </QueryState>
      ) : null}
      {tenantId !== null || !session.isAdmin ? (
        <>
          <div className="filters" role="search" aria-label={t('filters.label')}>
            <label>
              <span>{t('filters.search')}</span>
              <input type="search" name="search" value={search} onChange={(event) => setSearch(event.target.value)} />
            </label>
            <label>
              <span>{t('filters.status')}</span>
              <select name="status" value={status} onChange={(event) => setStatus(event.target.value as StatusFilter)}>
                <option value="active">{t('filters.active')}</option>
                <option value="revoked">{t('filters.revoked')}</option>
                <option value="all">{t('filters.all')}</option>
              </select>
            </label>
            <label>
              <span>{t('filters.kind')}</span>
              <select name="kind" value={kind} onChange={(event) => setKind(event.target.value as KindFilter)}>
                <option value="all">{t('filters.allKinds')}</option>
                <option value="service">{t('filters.service')}</option>
                <option value="personal">{t('filters.personal')}</option>
              </select>
            </label>
            {projects.length > 0 ? (
              <label>
                <span>{t('filters.project')}</span>
                <select name="project" value={project} onChange={(event) => setProject(event.target.value)}>
                  <option value="">{t('filters.allProjects')}</option>
                  {projects.map((entry) => (
                    <option key={entry.id} value={entry.id}>
                      {entry.name}
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
          </div>
          <QueryState query={keys}>
            {(data) => (
              <>
                <p className="muted" role="status">
                  {t('count', { shown: formatNumber(filtered.length, i18n.language), total: formatNumber(data.data.length, i18n.language) })}
                </p>
                <DataTable columns={columns} rows={filtered} rowKey={(key) => key.id} caption={t('tableCaption')} />
              </>
            )}
          </QueryState>
        </>
      ) : null}
      {dialog ? (
        <KeyFormDialog
          open
          onClose={() => setDialog(null)}
          editing={dialog.editing}
          tenantId={tenantId}
          tenantName={tenantName}
          projects={projects}
          modelSuggestions={models.data ?? []}
        />
      ) : null}
      <RevokeKeyDialog target={revoking} onClose={() => setRevoking(null)} />
    </section>
  );
}

export function limitsText(key: KeyRow, t: (key: string, options?: Record<string, unknown>) => string, language: string): string {
  const parts: string[] = [];
  if (key.rate_limits.rpm !== undefined) parts.push(t('limits.rpm', { value: formatNumber(key.rate_limits.rpm, language) }));
  if (key.rate_limits.tpm !== undefined) parts.push(t('limits.tpm', { value: formatNumber(key.rate_limits.tpm, language) }));
  if (key.rate_limits.max_concurrency !== undefined) parts.push(t('limits.concurrency', { value: formatNumber(key.rate_limits.max_concurrency, language) }));
  return parts.length > 0 ? parts.join(' · ') : t('limits.none');
}
