import type { User, UserRole } from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { type Column, DataTable } from '../../components/DataTable';
import { formatDate, formatNumber, formatTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { TenantSelect, useChosenTenant } from '../../components/TenantSelect';
import { CreateUserDialog, DisableDialog, IssueKeyDialog, RoleDialog } from './UserDialogs';
import { listUsers, ROLES, updateUser, usersKey } from './users-api';

type Open = { kind: 'create' } | { kind: 'role' | 'disable' | 'key'; user: User } | null;

/**
 * Users and roles: a tenant's people (a person's own tenant; the hub admin picks one), adding people,
 * changing roles, disabling and enabling, issuing personal keys; and what each role may do.
 */
export default function UsersPage() {
  const { t, i18n } = useTranslation(['users', 'common']);
  const session = useSession();
  const queryClient = useQueryClient();
  const { tenants, tenantId, choose } = useChosenTenant(session.isAdmin, session.me?.tenant_id ?? null);
  const users = useQuery({ queryKey: usersKey(tenantId), queryFn: () => listUsers(tenantId), enabled: tenantId !== null });
  const [search, setSearch] = useState('');
  const [role, setRole] = useState<UserRole | ''>('');
  const [open, setOpen] = useState<Open>(null);
  const enable = useMutation({
    mutationFn: (user: User) => updateUser(user.id, { disabled: false }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  const canWrite = session.can('users:write');
  const self = session.me?.user?.id ?? null;
  // The admin API has no personal-key route; a person issues their own, and owners anyone's.
  const canIssueKey = (user: User) => !session.isAdmin && !user.disabled && session.can('keys:write') && (user.id === self || canWrite);
  const language = i18n.language;

  const filtered = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (users.data?.data ?? []).filter(
      (user) => (!role || user.role === role) && (!needle || user.email.toLowerCase().includes(needle) || user.name.toLowerCase().includes(needle)),
    );
  }, [users.data, search, role]);

  const columns: Column<User>[] = [
    { id: 'name', header: t('columns.name'), cell: (user) => (user.id === self ? t('you', { name: user.name }) : user.name) },
    { id: 'email', header: t('columns.email'), cell: (user) => user.email },
    { id: 'role', header: t('columns.role'), cell: (user) => <span className="badge">{t(`roles.${user.role}.name`)}</span> },
    {
      id: 'status',
      header: t('columns.status'),
      cell: (user) => (user.disabled ? <span className="badge bad">{t('status.disabled')}</span> : <span className="badge ok">{t('status.active')}</span>),
    },
    { id: 'password', header: t('columns.password'), cell: (user) => (user.has_password ? t('common:yes') : t('common:no')) },
    { id: 'created', header: t('columns.created'), cell: (user) => <time dateTime={user.created_at} title={formatTime(user.created_at, language)}>{formatDate(user.created_at, language)}</time> },
  ];
  if (canWrite || session.can('keys:write')) {
    columns.push({
      id: 'actions',
      header: t('common:actions'),
      cell: (user) => (
        <span className="users-row-actions">
          {canWrite ? (
            <button type="button" className="button secondary" onClick={() => setOpen({ kind: 'role', user })}>
              {t('actions.changeRole')}
            </button>
          ) : null}
          {canWrite && !user.disabled ? (
            <button type="button" className="button secondary" onClick={() => setOpen({ kind: 'disable', user })}>
              {t('actions.disable')}
            </button>
          ) : null}
          {canWrite && user.disabled ? (
            <button type="button" className="button secondary" aria-disabled={enable.isPending} onClick={() => (enable.isPending ? undefined : enable.mutate(user))}>
              {t('actions.enable')}
            </button>
          ) : null}
          {canIssueKey(user) ? (
            <button type="button" className="button secondary" onClick={() => setOpen({ kind: 'key', user })}>
              {t('actions.issueKey')}
            </button>
          ) : null}
        </span>
      ),
    });
  }

  return (
    <section className="users-page">
      <PageHeader
        title={t('title')}
        actions={
          canWrite && tenantId ? (
            <button type="button" className="button" onClick={() => setOpen({ kind: 'create' })}>
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
      {tenantId ? (
        <>
          <div className="filters" role="search" aria-label={t('filters.label')}>
            <label>
              <span>{t('filters.search')}</span>
              <input type="search" name="search" value={search} onChange={(event) => setSearch(event.target.value)} />
            </label>
            <label>
              <span>{t('filters.role')}</span>
              <select name="role" value={role} onChange={(event) => setRole(event.target.value as UserRole | '')}>
                <option value="">{t('filters.allRoles')}</option>
                {ROLES.map((entry) => (
                  <option key={entry} value={entry}>
                    {t(`roles.${entry}.name`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {enable.isError ? <ErrorBanner error={enable.error} /> : null}
          <QueryState query={users}>
            {(data) => (
              <>
                <p className="muted" role="status">
                  {t('count', { shown: formatNumber(filtered.length, language), total: formatNumber(data.data.length, language) })}
                </p>
                <DataTable columns={columns} rows={filtered} rowKey={(user) => user.id} caption={t('tableCaption')} />
              </>
            )}
          </QueryState>
        </>
      ) : null}
      <RoleLegend />
      {open?.kind === 'create' ? <CreateUserDialog tenantId={tenantId} onClose={() => setOpen(null)} /> : null}
      {open?.kind === 'role' ? <RoleDialog user={open.user} onClose={() => setOpen(null)} /> : null}
      {open?.kind === 'disable' ? <DisableDialog user={open.user} onClose={() => setOpen(null)} /> : null}
      {open?.kind === 'key' ? <IssueKeyDialog user={open.user} onClose={() => setOpen(null)} /> : null}
    </section>
  );
}

function RoleLegend() {
  const { t } = useTranslation('users');
  return (
    <section className="panel users-legend-panel" aria-labelledby="roles-heading">
      <h2 id="roles-heading">{t('legend.title')}</h2>
      <dl className="users-legend">
        {ROLES.map((role) => (
          <div key={role}>
            <dt>{t(`roles.${role}.name`)}</dt>
            <dd>{t(`roles.${role}.can`)}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">{t('legend.note')}</p>
    </section>
  );
}
