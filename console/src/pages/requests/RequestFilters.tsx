import type { ApiKey, Tenant } from '@contract';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TimeRangeFields } from '../../components/TimeRangeFields';
import { RANGE_IDS, type RangeId } from '../../components/time-range';
import type { LedgerFilters } from './requests-api';

export const keyLabel = (key: ApiKey): string => `${key.name ?? key.key_prefix} (${key.key_prefix}…)`;

/**
 * The filter bar: edits a draft of the filters and applies it on submit (one request for the new view,
 * not one per keystroke). The hub admin also picks a tenant; keys are picked by name when the caller may
 * list them, else typed as ids.
 */
export function RequestFilters({
  filters,
  onApply,
  tenants,
  keys,
  models,
}: {
  filters: LedgerFilters;
  onApply: (filters: LedgerFilters) => void;
  /** The hub admin's tenants; null for a person. */
  tenants: Tenant[] | null;
  /** The keys the caller may list; null: the key filter is a text field. */
  keys: ApiKey[] | null;
  /** Model names to suggest. */
  models: string[];
}) {
  const { t } = useTranslation(['requests', 'common']);
  const [draft, setDraft] = useState(filters);
  useEffect(() => setDraft(filters), [filters]);
  const set = <Name extends keyof LedgerFilters>(name: Name, value: LedgerFilters[Name]) => setDraft((previous) => ({ ...previous, [name]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const rangeOptions = Object.fromEntries(RANGE_IDS.map((id) => [id, t(`range.${id}`)])) as Record<RangeId, string>;
  const keysOfTenant = keys && draft.tenant ? keys.filter((key) => key.tenant_id === draft.tenant) : keys;

  return (
    <form className="filters requests-filters" role="search" aria-label={t('filters.label')} onSubmit={submit}>
      {tenants ? (
        <label>
          <span>{t('filters.tenant')}</span>
          <select name="tenant" value={draft.tenant} onChange={(event) => set('tenant', event.target.value)}>
            <option value="">{t('filters.allTenants')}</option>
            {tenants.map((tenant) => (
              <option key={tenant.id} value={tenant.id}>
                {tenant.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <TimeRangeFields
        labels={{ range: t('filters.range'), from: t('filters.from'), to: t('filters.to'), options: rangeOptions }}
        value={{ range: draft.range, from: draft.from, to: draft.to }}
        onChange={(range) => setDraft((previous) => ({ ...previous, ...range }))}
      />
      <label>
        <span>{t('filters.key')}</span>
        {keysOfTenant ? (
          <select name="key" value={draft.key} onChange={(event) => set('key', event.target.value)}>
            <option value="">{t('filters.anyKey')}</option>
            {keysOfTenant.map((key) => (
              <option key={key.id} value={key.id}>
                {keyLabel(key)}
              </option>
            ))}
          </select>
        ) : (
          <input name="key" value={draft.key} onChange={(event) => set('key', event.target.value)} placeholder={t('filters.keyPlaceholder')} />
        )}
      </label>
      <label>
        <span>{t('filters.model')}</span>
        <input name="model" list="requests-models" value={draft.model} onChange={(event) => set('model', event.target.value)} />
        <datalist id="requests-models">
          {models.map((model) => (
            <option key={model} value={model} />
          ))}
        </datalist>
      </label>
      <label>
        <span>{t('filters.status')}</span>
        <select name="status" value={draft.status} onChange={(event) => set('status', event.target.value as LedgerFilters['status'])}>
          <option value="">{t('filters.anyStatus')}</option>
          <option value="success">{t('filters.success')}</option>
          <option value="error">{t('filters.error')}</option>
        </select>
      </label>
      <label>
        <span>{t('filters.agent')}</span>
        <input name="agent" value={draft.agent} onChange={(event) => set('agent', event.target.value)} />
      </label>
      <label>
        <span>{t('filters.request')}</span>
        <input name="request" value={draft.request} onChange={(event) => set('request', event.target.value)} placeholder={t('filters.requestPlaceholder')} />
      </label>
      <div className="requests-filter-actions">
        <button type="submit" className="button">
          {t('common:apply')}
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => onApply({ ...filters, range: 'all', from: '', to: '', key: '', model: '', status: '', agent: '', request: '' })}
        >
          {t('common:reset')}
        </button>
      </div>
    </form>
  );
}
