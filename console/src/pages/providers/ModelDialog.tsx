import type { CreateModelRequest, ModelPricing, RoutedModel, UpstreamProvider } from '@contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { ErrorBanner } from '../../components/QueryState';
import { createModel, PRICE_FIELDS, type PriceField, priceText, updateModel } from './providers-api';

interface TargetDraft {
  /** Stable React key for a row while its fields change. */
  key: number;
  provider: string;
  model: string;
  weight: string;
}

interface Draft {
  name: string;
  kind: 'chat' | 'embedding';
  targets: TargetDraft[];
  fallbacks: string[];
  prices: Record<PriceField, string>;
  maxOutputTokens: string;
  contextWindow: string;
}

let nextKey = 1;
const targetDraft = (provider = '', model = '', weight = '1'): TargetDraft => ({ key: nextKey++, provider, model, weight });

const draftOf = (model: RoutedModel | null, providers: UpstreamProvider[]): Draft => ({
  name: model?.name ?? '',
  kind: model?.kind ?? 'chat',
  targets: model ? model.targets.map((target) => targetDraft(target.provider, target.model, String(target.weight))) : [targetDraft(providers[0]?.id ?? '')],
  fallbacks: model?.fallbacks ?? [],
  prices: Object.fromEntries(PRICE_FIELDS.map((field) => [field, priceText(model?.pricing ?? null, field)])) as Record<PriceField, string>,
  maxOutputTokens: model?.max_output_tokens ? String(model.max_output_tokens) : '',
  contextWindow: model?.context_window ? String(model.context_window) : '',
});

/** Prices stay decimal strings end to end; none typed at all means the model is unpriced. */
function pricingOf(prices: Record<PriceField, string>): ModelPricing | null {
  const typed = PRICE_FIELDS.filter((field) => prices[field].trim() !== '');
  if (typed.length === 0) return null;
  return {
    input_per_mtok: prices.input_per_mtok.trim(),
    output_per_mtok: prices.output_per_mtok.trim(),
    ...(prices.cached_input_per_mtok.trim() ? { cached_input_per_mtok: prices.cached_input_per_mtok.trim() } : {}),
    ...(prices.cache_write_per_mtok.trim() ? { cache_write_per_mtok: prices.cache_write_per_mtok.trim() } : {}),
  };
}

function bodyOf(draft: Draft): Omit<CreateModelRequest, 'name' | 'pricing' | 'max_output_tokens' | 'context_window'> & { pricing: ModelPricing | null; max_output_tokens: number | null; context_window: number | null } {
  return {
    kind: draft.kind,
    targets: draft.targets.map((target) => ({ provider: target.provider, model: target.model.trim(), weight: Number(target.weight || '1') })),
    fallbacks: draft.fallbacks,
    pricing: pricingOf(draft.prices),
    max_output_tokens: draft.maxOutputTokens.trim() ? Number(draft.maxOutputTokens) : null,
    context_window: draft.contextWindow.trim() ? Number(draft.contextWindow) : null,
  };
}

/**
 * Adding or changing a routed model: its targets (provider, upstream model, weight), its fallbacks in the
 * order they are tried, and its prices in USD per million tokens. The hub validates and names the field at fault.
 */
export function ModelDialog({
  open,
  onClose,
  editing,
  providers,
  modelNames,
}: {
  open: boolean;
  onClose: () => void;
  editing: RoutedModel | null;
  providers: UpstreamProvider[];
  modelNames: string[];
}) {
  const { t } = useTranslation(['providers', 'common']);
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(editing, providers));
  const [pendingFallback, setPendingFallback] = useState('');
  const set = <K extends keyof Draft>(field: K, value: Draft[K]) => setDraft((previous) => ({ ...previous, [field]: value }));
  const setTarget = (key: number, patch: Partial<TargetDraft>) =>
    set(
      'targets',
      draft.targets.map((target) => (target.key === key ? { ...target, ...patch } : target)),
    );
  const moveFallback = (index: number, by: -1 | 1) => {
    const next = [...draft.fallbacks];
    const [moved] = next.splice(index, 1);
    if (moved === undefined) return;
    next.splice(index + by, 0, moved);
    set('fallbacks', next);
  };
  const save = useMutation({
    mutationFn: () => {
      const { pricing, max_output_tokens, context_window, ...rest } = bodyOf(draft);
      if (editing) return updateModel(editing.name, { ...rest, pricing, max_output_tokens, context_window });
      return createModel({
        name: draft.name.trim(),
        ...rest,
        ...(pricing ? { pricing } : {}),
        ...(max_output_tokens !== null ? { max_output_tokens } : {}),
        ...(context_window !== null ? { context_window } : {}),
      });
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['providers'] });
      onClose();
    },
  });
  const param = save.error instanceof ApiError ? save.error.param : null;
  const invalid = (field: string) => (param !== null && (param === field || param.startsWith(`${field}.`))) || undefined;
  const fallbackChoices = modelNames.filter((name) => name !== (editing?.name ?? draft.name.trim()) && !draft.fallbacks.includes(name));
  const title = editing ? t('modelForm.editTitle', { name: editing.name }) : t('modelForm.createTitle');

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
              <span>{t('modelForm.name')}</span>
              <input
                name="name"
                value={draft.name}
                required
                disabled={editing !== null}
                autoComplete="off"
                aria-describedby="model-name-help"
                aria-invalid={invalid('name')}
                onChange={(event) => set('name', event.target.value)}
              />
            </label>
            <span id="model-name-help" className="muted">
              {t('modelForm.nameHelp')}
            </span>
          </div>
          <label>
            <span>{t('modelForm.kind')}</span>
            <select name="kind" value={draft.kind} onChange={(event) => set('kind', event.target.value as Draft['kind'])}>
              <option value="chat">{t('kinds.chat')}</option>
              <option value="embedding">{t('kinds.embedding')}</option>
            </select>
          </label>
        </div>
        <fieldset className="providers-fieldset">
          <legend>{t('modelForm.targets')}</legend>
          <p className="muted">{t('modelForm.targetsHelp')}</p>
          <ol className="providers-target-list">
            {draft.targets.map((target, index) => (
              <li key={target.key} className="providers-target-row">
                <label>
                  <span>{t('modelForm.targetProvider', { n: index + 1 })}</span>
                  <select
                    name={`target-${index}-provider`}
                    value={target.provider}
                    aria-invalid={invalid(`targets.${index}.provider`)}
                    onChange={(event) => setTarget(target.key, { provider: event.target.value })}
                  >
                    {providers.length === 0 ? <option value="">{t('modelForm.noProviders')}</option> : null}
                    {providers.map((provider) => (
                      <option key={provider.id} value={provider.id}>
                        {provider.id}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  <span>{t('modelForm.targetModel', { n: index + 1 })}</span>
                  <input
                    name={`target-${index}-model`}
                    value={target.model}
                    required
                    autoComplete="off"
                    aria-invalid={invalid(`targets.${index}.model`)}
                    onChange={(event) => setTarget(target.key, { model: event.target.value })}
                  />
                </label>
                <label className="providers-weight">
                  <span>{t('modelForm.targetWeight', { n: index + 1 })}</span>
                  <input
                    name={`target-${index}-weight`}
                    type="number"
                    min={0}
                    step="any"
                    inputMode="decimal"
                    value={target.weight}
                    aria-invalid={invalid(`targets.${index}.weight`)}
                    onChange={(event) => setTarget(target.key, { weight: event.target.value })}
                  />
                </label>
                <button
                  type="button"
                  className="button secondary"
                  disabled={draft.targets.length === 1}
                  aria-label={t('modelForm.removeTarget', { n: index + 1 })}
                  onClick={() =>
                    set(
                      'targets',
                      draft.targets.filter((candidate) => candidate.key !== target.key),
                    )
                  }
                >
                  {t('modelForm.remove')}
                </button>
              </li>
            ))}
          </ol>
          <button type="button" className="button secondary" onClick={() => set('targets', [...draft.targets, targetDraft(providers[0]?.id ?? '')])}>
            {t('modelForm.addTarget')}
          </button>
        </fieldset>
        <fieldset className="providers-fieldset">
          <legend>{t('modelForm.fallbacks')}</legend>
          <p className="muted">{t('modelForm.fallbacksHelp')}</p>
          {draft.fallbacks.length > 0 ? (
            <ol className="providers-fallback-list">
              {draft.fallbacks.map((name, index) => (
                <li key={name}>
                  <code>{name}</code>
                  <span className="providers-row-actions">
                    <button type="button" className="button secondary" disabled={index === 0} aria-label={t('modelForm.moveUp', { name })} onClick={() => moveFallback(index, -1)}>
                      {t('modelForm.up')}
                    </button>
                    <button
                      type="button"
                      className="button secondary"
                      disabled={index === draft.fallbacks.length - 1}
                      aria-label={t('modelForm.moveDown', { name })}
                      onClick={() => moveFallback(index, 1)}
                    >
                      {t('modelForm.down')}
                    </button>
                    <button
                      type="button"
                      className="button secondary"
                      aria-label={t('modelForm.removeFallback', { name })}
                      onClick={() =>
                        set(
                          'fallbacks',
                          draft.fallbacks.filter((candidate) => candidate !== name),
                        )
                      }
                    >
                      {t('modelForm.remove')}
                    </button>
                  </span>
                </li>
              ))}
            </ol>
          ) : null}
          <div className="providers-test-row">
            <label>
              <span>{t('modelForm.addFallbackLabel')}</span>
              <select name="fallback" value={pendingFallback} aria-invalid={invalid('fallbacks')} onChange={(event) => setPendingFallback(event.target.value)}>
                <option value="">{t('modelForm.chooseFallback')}</option>
                {fallbackChoices.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="button secondary"
              disabled={!pendingFallback}
              onClick={() => {
                set('fallbacks', [...draft.fallbacks, pendingFallback]);
                setPendingFallback('');
              }}
            >
              {t('modelForm.addFallback')}
            </button>
          </div>
        </fieldset>
        <fieldset className="providers-fieldset">
          <legend>{t('modelForm.pricing')}</legend>
          <p className="muted">{t('modelForm.pricingHelp')}</p>
          <div className="providers-prices">
            {PRICE_FIELDS.map((field) => (
              <label key={field}>
                <span>{t(`modelForm.prices.${field}`)}</span>
                <input
                  name={field}
                  inputMode="decimal"
                  autoComplete="off"
                  value={draft.prices[field]}
                  aria-invalid={invalid(`pricing.${field}`) ?? invalid('pricing')}
                  onChange={(event) => set('prices', { ...draft.prices, [field]: event.target.value })}
                />
              </label>
            ))}
          </div>
        </fieldset>
        <div className="grid-2">
          <label>
            <span>{t('modelForm.maxOutputTokens')}</span>
            <input
              name="max_output_tokens"
              type="number"
              min={1}
              step={1}
              inputMode="numeric"
              value={draft.maxOutputTokens}
              aria-invalid={invalid('max_output_tokens')}
              onChange={(event) => set('maxOutputTokens', event.target.value)}
            />
          </label>
          <label>
            <span>{t('modelForm.contextWindow')}</span>
            <input
              name="context_window"
              type="number"
              min={1}
              step={1}
              inputMode="numeric"
              value={draft.contextWindow}
              aria-invalid={invalid('context_window')}
              onChange={(event) => set('contextWindow', event.target.value)}
            />
          </label>
        </div>
        {save.isError ? <ErrorBanner error={save.error} /> : null}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            {t('common:cancel')}
          </button>
          <button type="submit" className="button" disabled={save.isPending}>
            {editing ? t('common:save') : t('modelForm.submitCreate')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
