import type { CreateProviderRequest, ProviderTestResult, UpdateProviderRequest, UpstreamProvider } from '@contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { ErrorBanner } from '../../components/QueryState';
import { createProvider, PRESETS, testDraft, updateProvider } from './providers-api';
import { TestResult } from './TestResult';

interface Draft {
  id: string;
  type: 'openai' | 'anthropic';
  preset: string;
  baseUrl: string;
  apiKey: string;
  removeKey: boolean;
  maxConnections: string;
  testModel: string;
}

const draftOf = (provider: UpstreamProvider | null): Draft => ({
  id: provider?.id ?? '',
  type: provider?.type === 'anthropic' ? 'anthropic' : 'openai',
  preset: provider?.preset ?? '',
  baseUrl: provider?.base_url ?? '',
  apiKey: '',
  removeKey: false,
  maxConnections: String(provider?.max_connections ?? 256),
  testModel: '',
});

function createBody(draft: Draft): CreateProviderRequest {
  return {
    id: draft.id.trim(),
    type: draft.type,
    ...(draft.type === 'openai' && draft.preset ? { preset: draft.preset } : {}),
    ...(draft.baseUrl.trim() ? { base_url: draft.baseUrl.trim() } : {}),
    ...(draft.apiKey ? { api_key: draft.apiKey } : {}),
    ...(draft.maxConnections.trim() ? { max_connections: Number(draft.maxConnections) } : {}),
  };
}

/** Only what changed; a key is sent only when a new one was typed (or removed), never read back. */
function updateBody(draft: Draft, provider: UpstreamProvider): UpdateProviderRequest {
  const body: UpdateProviderRequest = {};
  const preset = draft.type === 'openai' ? draft.preset : '';
  if (preset !== (provider.preset ?? '')) body.preset = preset || null;
  const baseUrl = draft.baseUrl.trim();
  if (baseUrl !== (provider.base_url ?? '')) body.base_url = baseUrl || null;
  if (draft.removeKey) body.api_key = null;
  else if (draft.apiKey) body.api_key = draft.apiKey;
  const maxConnections = Number(draft.maxConnections);
  if (draft.maxConnections.trim() && maxConnections !== provider.max_connections) body.max_connections = maxConnections;
  return body;
}

/**
 * Adding a provider (id, type, preset, base URL, API key) or changing one. The key is a password field: it
 * goes to the hub, which seals it, and is never shown again — after saving only "key set" is known. A draft
 * can be tested before it is saved, under the same address policy the hub applies on saving.
 */
export function ProviderDialog({ open, onClose, editing }: { open: boolean; onClose: () => void; editing: UpstreamProvider | null }) {
  const { t } = useTranslation(['providers', 'common']);
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(editing));
  const set = <K extends keyof Draft>(field: K, value: Draft[K]) => setDraft((previous) => ({ ...previous, [field]: value }));
  const save = useMutation({
    mutationFn: () => (editing ? updateProvider(editing.id, updateBody(draft, editing)) : createProvider(createBody(draft))),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['providers'] });
      onClose();
    },
  });
  const test = useMutation<ProviderTestResult>({
    mutationFn: () => {
      const { id: _id, max_connections: _max, ...provider } = createBody(draft);
      return testDraft({ ...provider, model: draft.testModel.trim() });
    },
  });
  const invalid = (field: string) => (save.error instanceof ApiError && save.error.param === field) || (test.error instanceof ApiError && test.error.param === field);
  const presetUrl = PRESETS.find((preset) => preset.id === draft.preset)?.baseUrl;
  const title = editing ? t('providerForm.editTitle', { id: editing.id }) : t('providerForm.createTitle');

  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <div className="grid-2">
          <div className="providers-field">
            <label>
              <span>{t('providerForm.id')}</span>
              <input
                name="id"
                value={draft.id}
                required
                disabled={editing !== null}
                autoComplete="off"
                aria-describedby="provider-id-help"
                aria-invalid={invalid('id') || undefined}
                onChange={(event) => set('id', event.target.value)}
              />
            </label>
            <span id="provider-id-help" className="muted">
              {t('providerForm.idHelp')}
            </span>
          </div>
          <label>
            <span>{t('providerForm.type')}</span>
            <select name="type" value={draft.type} disabled={editing !== null} onChange={(event) => set('type', event.target.value as Draft['type'])}>
              <option value="openai">{t('types.openai')}</option>
              <option value="anthropic">{t('types.anthropic')}</option>
            </select>
          </label>
        </div>
        {draft.type === 'openai' ? (
          <label>
            <span>{t('providerForm.preset')}</span>
            <select name="preset" value={draft.preset} aria-invalid={invalid('preset') || undefined} onChange={(event) => set('preset', event.target.value)}>
              <option value="">{t('providerForm.noPreset')}</option>
              {PRESETS.map((preset) => (
                <option key={preset.id} value={preset.id}>
                  {preset.id}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <div className="providers-field">
          <label>
            <span>{t('providerForm.baseUrl')}</span>
            <input
              name="base_url"
              type="url"
              value={draft.baseUrl}
              autoComplete="off"
              placeholder={presetUrl ?? (draft.type === 'anthropic' ? 'https://api.anthropic.com' : 'https://api.example.com/v1')}
              aria-describedby="provider-url-help"
              aria-invalid={invalid('base_url') || undefined}
              onChange={(event) => set('baseUrl', event.target.value)}
            />
          </label>
          <span id="provider-url-help" className="muted">
            {presetUrl ? t('providerForm.baseUrlPresetHelp', { url: presetUrl }) : t('providerForm.baseUrlHelp')}
          </span>
        </div>
        <div className="providers-field">
          <label>
            <span>{t('providerForm.apiKey')}</span>
            <input
              name="api_key"
              type="password"
              value={draft.apiKey}
              autoComplete="new-password"
              spellCheck={false}
              disabled={draft.removeKey}
              aria-describedby="provider-key-help"
              aria-invalid={invalid('api_key') || undefined}
              onChange={(event) => set('apiKey', event.target.value)}
            />
          </label>
          <span id="provider-key-help" className="muted">
            {editing?.has_api_key ? t('providerForm.apiKeyKeep') : t('providerForm.apiKeyHelp')}
          </span>
        </div>
        {editing?.has_api_key ? (
          <label className="inline">
            <input type="checkbox" name="remove_key" checked={draft.removeKey} onChange={(event) => set('removeKey', event.target.checked)} />
            <span>{t('providerForm.removeKey')}</span>
          </label>
        ) : null}
        <label>
          <span>{t('providerForm.maxConnections')}</span>
          <input
            name="max_connections"
            type="number"
            min={1}
            max={4096}
            step={1}
            inputMode="numeric"
            value={draft.maxConnections}
            aria-invalid={invalid('max_connections') || undefined}
            onChange={(event) => set('maxConnections', event.target.value)}
          />
        </label>
        {editing ? null : (
          <fieldset className="providers-fieldset">
            <legend>{t('providerForm.testLegend')}</legend>
            <p className="muted">{t('providerForm.testHelp')}</p>
            <div className="providers-test-row">
              <label>
                <span>{t('providerForm.testModel')}</span>
                <input
                  name="test_model"
                  value={draft.testModel}
                  autoComplete="off"
                  aria-invalid={invalid('model') || undefined}
                  onChange={(event) => set('testModel', event.target.value)}
                />
              </label>
              <button type="button" className="button secondary" disabled={test.isPending} onClick={() => test.mutate()}>
                {test.isPending ? t('test.running') : t('test.button')}
              </button>
            </div>
            <div aria-live="polite">
              {test.data ? <TestResult result={test.data} /> : null}
              {test.isError ? <ErrorBanner error={test.error} /> : null}
            </div>
          </fieldset>
        )}
        {save.isError ? <ErrorBanner error={save.error} /> : null}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            {t('common:cancel')}
          </button>
          <button type="submit" className="button" disabled={save.isPending}>
            {editing ? t('common:save') : t('providerForm.submitCreate')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
