import type { CreatedKey, KeyScope, Project } from '@contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { Dialog } from '../../components/Dialog';
import { ErrorBanner } from '../../components/QueryState';
import { SecretOnce } from '../../components/SecretOnce';
import { formatUsd } from '../../components/format';
import { BUDGET_PERIODS, createKey, draftOf, emptyDraft, KEY_SCOPES, type KeyDraft, type KeyRow, updateKey } from './keys-api';
import { ModelsField, modelNamesOf, withModels } from './ModelsField';

/**
 * Creating a service key (then its secret, shown this once) or editing one: name, scopes, models, rate
 * limits, and at creation its project and an optional budget. The hub's own message shows on a refusal.
 */
export function KeyFormDialog({
  open,
  onClose,
  editing,
  tenantId,
  tenantName,
  projects,
  modelSuggestions,
}: {
  open: boolean;
  onClose: () => void;
  /** The key to edit; null: create one. */
  editing: KeyRow | null;
  tenantId: string | null;
  /** Shown to the hub admin, who creates keys in the tenant picked on the page. */
  tenantName: string | null;
  projects: Project[];
  modelSuggestions: string[];
}) {
  const { t, i18n } = useTranslation(['keys', 'common']);
  const queryClient = useQueryClient();
  // A key's own budget at creation needs `budgets:write` too (developers create keys, owners set budgets).
  const canBudget = useSession().can('budgets:write');
  const [draft, setDraft] = useState<KeyDraft>(() => (editing ? draftOf(editing) : emptyDraft()));
  const [pendingModel, setPendingModel] = useState('');
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const set = <K extends keyof KeyDraft>(field: K, value: KeyDraft[K]) => setDraft((previous) => ({ ...previous, [field]: value }));
  const save = useMutation({
    mutationFn: (value: KeyDraft): Promise<KeyRow | CreatedKey> => (editing ? updateKey(editing.id, value) : createKey(tenantId, value)),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
      if (editing) onClose();
      else setCreated(result as CreatedKey);
    },
  });
  const toggleScope = (scope: KeyScope, on: boolean) =>
    set('scopes', on ? KEY_SCOPES.filter((known) => known === scope || draft.scopes.includes(known)) : draft.scopes.filter((known) => known !== scope));
  const title = created ? t('created.title') : editing ? t('form.editTitle', { name: editing.name ?? editing.key_prefix }) : t('form.createTitle');

  return (
    <Dialog title={title} open={open} onClose={onClose}>
      {created ? (
        <div>
          <SecretOnce secret={created.key} label={t('created.secretLabel')} note={t('created.note')} copyLabel={t('created.copy')} />
          <dl className="keys-summary">
            <dt>{t('columns.name')}</dt>
            <dd>{created.name ?? t('unnamed')}</dd>
            <dt>{t('columns.prefix')}</dt>
            <dd>
              <code>{created.key_prefix}</code>
            </dd>
            {created.budget ? (
              <>
                <dt>{t('columns.budget')}</dt>
                <dd>{t(`budgetSummary.${created.budget.period}`, { limit: formatUsd(created.budget.limit_usd, i18n.language) })}</dd>
              </>
            ) : null}
          </dl>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose} autoFocus>
              {t('created.done')}
            </button>
          </div>
        </div>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (save.isPending) return;
            const models = withModels(draft.models, modelNamesOf(pendingModel));
            setPendingModel('');
            setDraft((previous) => ({ ...previous, models }));
            save.mutate({ ...draft, models });
          }}
        >
          {tenantName ? <p className="muted">{t('form.inTenant', { tenant: tenantName })}</p> : null}
          <div className="grid-2">
            <label>
              <span>{t('form.name')}</span>
              <input name="name" value={draft.name} maxLength={200} autoComplete="off" onChange={(event) => set('name', event.target.value)} />
            </label>
            {editing ? null : (
              <label>
                <span>{t('form.project')}</span>
                <select name="project" value={draft.projectId} onChange={(event) => set('projectId', event.target.value)}>
                  <option value="">{t('form.noProject')}</option>
                  {projects.map((project) => (
                    <option key={project.id} value={project.id}>
                      {project.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </div>
          <fieldset className="keys-fieldset">
            <legend>{t('form.scopes')}</legend>
            {KEY_SCOPES.map((scope) => (
              <label key={scope} className="inline">
                <input type="checkbox" name="scopes" value={scope} checked={draft.scopes.includes(scope)} onChange={(event) => toggleScope(scope, event.target.checked)} />
                <span>
                  <code>{scope}</code> <span className="muted">{t(`scopeHelp.${scope.replace(':', '_')}`)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <ModelsField value={draft.models} onChange={(models) => set('models', models)} pending={pendingModel} onPendingChange={setPendingModel} suggestions={modelSuggestions} />
          <fieldset className="keys-fieldset">
            <legend>{t('form.limits')}</legend>
            <p className="muted">{t('form.limitsHelp')}</p>
            <div className="grid-3 keys-limits">
              <label>
                <span>{t('form.rpm')}</span>
                <input name="rpm" type="number" min={1} step={1} inputMode="numeric" value={draft.rpm} onChange={(event) => set('rpm', event.target.value)} />
              </label>
              <label>
                <span>{t('form.tpm')}</span>
                <input name="tpm" type="number" min={1} step={1} inputMode="numeric" value={draft.tpm} onChange={(event) => set('tpm', event.target.value)} />
              </label>
              <label>
                <span>{t('form.maxConcurrency')}</span>
                <input
                  name="max_concurrency"
                  type="number"
                  min={1}
                  step={1}
                  inputMode="numeric"
                  value={draft.maxConcurrency}
                  onChange={(event) => set('maxConcurrency', event.target.value)}
                />
              </label>
            </div>
          </fieldset>
          {editing || !canBudget ? null : (
            <fieldset className="keys-fieldset">
              <legend>{t('form.budget')}</legend>
              <p className="muted">{t('form.budgetHelp')}</p>
              <div className="grid-2">
                <label>
                  <span>{t('form.budgetLimit')}</span>
                  <input
                    name="budget_limit_usd"
                    inputMode="decimal"
                    autoComplete="off"
                    value={draft.budgetUsd}
                    onChange={(event) => set('budgetUsd', event.target.value)}
                  />
                </label>
                <label>
                  <span>{t('form.budgetPeriod')}</span>
                  <select name="budget_period" value={draft.budgetPeriod} onChange={(event) => set('budgetPeriod', event.target.value as KeyDraft['budgetPeriod'])}>
                    {BUDGET_PERIODS.map((period) => (
                      <option key={period} value={period}>
                        {t(`periods.${period}`)}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
            </fieldset>
          )}
          {save.isError ? <ErrorBanner error={save.error} /> : null}
          <div className="dialog-actions">
            <button type="button" className="button secondary" onClick={onClose}>
              {t('common:cancel')}
            </button>
            <button type="submit" className="button" aria-disabled={save.isPending}>
              {editing ? t('common:save') : t('form.submitCreate')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
