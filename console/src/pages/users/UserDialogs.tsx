import type { CreatedUser, PersonalKey, User, UserRole } from '@contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog';
import { ErrorBanner } from '../../components/QueryState';
import { SecretOnce } from '../../components/SecretOnce';
import { createUser, issuePersonalKey, PASSWORD_MIN_LENGTH, ROLES, updateUser } from './users-api';

const refreshUsers = (queryClient: ReturnType<typeof useQueryClient>) => queryClient.invalidateQueries({ queryKey: ['users'] });

function Actions({ onCancel, submit, busy, danger = false }: { onCancel: () => void; submit: string; busy: boolean; danger?: boolean }) {
  const { t } = useTranslation('common');
  return (
    <div className="dialog-actions">
      <button type="button" className="button secondary" onClick={onCancel}>
        {t('cancel')}
      </button>
      <button type="submit" className={danger ? 'button danger' : 'button'} aria-disabled={busy}>
        {submit}
      </button>
    </div>
  );
}

/** A new person of the tenant; then their first personal key, shown this once. */
export function CreateUserDialog({ tenantId, onClose }: { tenantId: string | null; onClose: () => void }) {
  const { t } = useTranslation('users');
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<CreatedUser | null>(null);
  const create = useMutation({
    mutationFn: (form: FormData) => {
      const password = String(form.get('password') ?? '');
      return createUser(tenantId, {
        email: String(form.get('email') ?? '').trim(),
        name: String(form.get('name') ?? '').trim(),
        role: String(form.get('role') ?? 'viewer') as UserRole,
        ...(password ? { password } : {}),
      });
    },
    onSuccess: async (user) => {
      setCreated(user);
      await refreshUsers(queryClient);
    },
  });
  const title = created ? t('create.doneTitle', { name: created.name }) : t('create.title');
  return (
    <Dialog title={title} open onClose={onClose}>
      {created ? (
        <>
          <p>{t('create.done', { email: created.email, role: t(`roles.${created.role}.name`) })}</p>
          <SecretOnce secret={created.key} label={t('key.secretLabel')} note={t('key.note')} copyLabel={t('key.copy')} />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose} autoFocus>
              {t('key.done')}
            </button>
          </div>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!create.isPending) create.mutate(new FormData(event.currentTarget));
          }}
        >
          <div className="grid-2">
            <label>
              <span>{t('fields.email')}</span>
              <input name="email" type="email" autoComplete="off" required maxLength={254} />
            </label>
            <label>
              <span>{t('fields.name')}</span>
              <input name="name" autoComplete="off" required maxLength={200} />
            </label>
          </div>
          <label>
            <span>{t('fields.role')}</span>
            <select name="role" defaultValue="developer">
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {t(`roles.${role}.name`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('fields.password')}</span>
            <input name="password" type="password" autoComplete="new-password" maxLength={256} aria-describedby="new-user-password-help" />
            <small className="muted" id="new-user-password-help">
              {t('create.passwordHelp', { min: PASSWORD_MIN_LENGTH })}
            </small>
          </label>
          {create.isError ? <ErrorBanner error={create.error} /> : null}
          <Actions onCancel={onClose} submit={t('create.submit')} busy={create.isPending} />
        </form>
      )}
    </Dialog>
  );
}

export function RoleDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation('users');
  const queryClient = useQueryClient();
  const [role, setRole] = useState<UserRole>(user.role);
  const change = useMutation({
    mutationFn: () => updateUser(user.id, { role }),
    onSuccess: async () => {
      await refreshUsers(queryClient);
      onClose();
    },
  });
  const title = t('role.title', { name: user.name });
  return (
    <Dialog title={title} open onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!change.isPending) change.mutate();
        }}
      >
        <label>
          <span>{t('fields.role')}</span>
          <select name="role" value={role} onChange={(event) => setRole(event.target.value as UserRole)}>
            {ROLES.map((entry) => (
              <option key={entry} value={entry}>
                {t(`roles.${entry}.name`)}
              </option>
            ))}
          </select>
        </label>
        <p className="muted">{t(`roles.${role}.can`)}</p>
        <p className="muted">{t('role.keysFollow')}</p>
        {change.isError ? <ErrorBanner error={change.error} /> : null}
        <Actions onCancel={onClose} submit={t('role.submit')} busy={change.isPending} />
      </form>
    </Dialog>
  );
}

/** Disabling revokes the person's keys and ends their sessions, so it asks first; enabling does not. */
export function DisableDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation('users');
  const queryClient = useQueryClient();
  const disable = useMutation({
    mutationFn: () => updateUser(user.id, { disabled: true }),
    onSuccess: async () => {
      await refreshUsers(queryClient);
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
      onClose();
    },
  });
  const title = t('disable.title', { name: user.name });
  return (
    <Dialog title={title} open onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!disable.isPending) disable.mutate();
        }}
      >
        <p>{t('disable.confirm', { name: user.name, email: user.email })}</p>
        {disable.isError ? <ErrorBanner error={disable.error} /> : null}
        <Actions onCancel={onClose} submit={t('disable.submit')} busy={disable.isPending} danger />
      </form>
    </Dialog>
  );
}

/** Another personal key for a person (scopes following their role), shown this once. */
export function IssueKeyDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation('users');
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<PersonalKey | null>(null);
  const issue = useMutation({
    mutationFn: () => issuePersonalKey(user.id, name.trim()),
    onSuccess: async (key) => {
      setIssued(key);
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  const title = t('key.title', { name: user.name });
  return (
    <Dialog title={title} open onClose={onClose}>
      {issued ? (
        <>
          <SecretOnce secret={issued.key} label={t('key.secretLabel')} note={t('key.note')} copyLabel={t('key.copy')} />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose} autoFocus>
              {t('key.done')}
            </button>
          </div>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!issue.isPending) issue.mutate();
          }}
        >
          <label>
            <span>{t('key.name')}</span>
            <input name="name" value={name} maxLength={200} autoComplete="off" onChange={(event) => setName(event.target.value)} />
            <small className="muted">{t('key.scopesFollow')}</small>
          </label>
          {issue.isError ? <ErrorBanner error={issue.error} /> : null}
          <Actions onCancel={onClose} submit={t('key.submit')} busy={issue.isPending} />
        </form>
      )}
    </Dialog>
  );
}
