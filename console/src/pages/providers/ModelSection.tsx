import type { RoutedModel } from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Column, DataTable } from '../../components/DataTable';
import { Dialog } from '../../components/Dialog';
import { formatNumber, formatUsd } from '../../components/format';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { ModelDialog } from './ModelDialog';
import { deleteModel, listModels, listProviders, modelsKey, priceText, providersKey } from './providers-api';

/** Each target's share of the traffic, from the weights (a weight of 0 takes none). */
export function shares(model: RoutedModel): string[] {
  const total = model.targets.reduce((sum, target) => sum + target.weight, 0);
  return model.targets.map((target) => (total > 0 ? `${Math.round((target.weight / total) * 100)}%` : '0%'));
}

/** The routed models: targets with weights, the fallback order, prices per million tokens. */
export function ModelSection() {
  const { t, i18n } = useTranslation(['providers', 'common']);
  const models = useQuery({ queryKey: modelsKey, queryFn: listModels });
  const providers = useQuery({ queryKey: providersKey, queryFn: listProviders });
  const [dialog, setDialog] = useState<{ editing: RoutedModel | null } | null>(null);
  const [deleting, setDeleting] = useState<RoutedModel | null>(null);
  const price = (model: RoutedModel, field: Parameters<typeof priceText>[1]) => {
    const text = priceText(model.pricing, field);
    return text ? formatUsd(text, i18n.language) : '—';
  };

  const columns: Column<RoutedModel>[] = [
    {
      id: 'name',
      header: t('modelColumns.name'),
      cell: (model) => (
        <>
          <strong>{model.name}</strong> <span className="badge">{t(`source.${model.source}`)}</span>
        </>
      ),
    },
    { id: 'kind', header: t('modelColumns.kind'), cell: (model) => t(`kinds.${model.kind}`) },
    {
      id: 'targets',
      header: t('modelColumns.targets'),
      cell: (model) => {
        const share = shares(model);
        return (
          <span className="providers-routes">
            {model.targets.map((target, index) => (
              <span key={`${target.provider}/${target.model}`} className="providers-route">
                <code>
                  {target.provider}/{target.model}
                </code>{' '}
                <span className="muted">{t('weightShare', { weight: formatNumber(target.weight, i18n.language), share: share[index] })}</span>
              </span>
            ))}
          </span>
        );
      },
    },
    {
      id: 'fallbacks',
      header: t('modelColumns.fallbacks'),
      cell: (model) => (model.fallbacks.length > 0 ? model.fallbacks.map((name, index) => `${index + 1}. ${name}`).join(' → ') : <span className="muted">{t('common:none')}</span>),
    },
    { id: 'input', header: t('modelColumns.input'), align: 'right', cell: (model) => price(model, 'input_per_mtok') },
    { id: 'output', header: t('modelColumns.output'), align: 'right', cell: (model) => price(model, 'output_per_mtok') },
    { id: 'cached', header: t('modelColumns.cached'), align: 'right', cell: (model) => price(model, 'cached_input_per_mtok') },
    {
      id: 'status',
      header: t('columns.status'),
      cell: (model) =>
        model.status === 'ready' ? (
          model.pricing ? (
            <span className="badge ok">{t('status.ready')}</span>
          ) : (
            <span className="badge warn">{t('status.unpriced')}</span>
          )
        ) : (
          <span className="providers-problem">
            <span className="badge bad">{t('status.unavailable')}</span> <span className="providers-error-text">{model.problem}</span>
          </span>
        ),
    },
    {
      id: 'actions',
      header: t('common:actions'),
      cell: (model) =>
        model.source === 'config' ? (
          <span className="muted">{t('readOnly')}</span>
        ) : (
          <span className="providers-row-actions">
            <button type="button" className="button secondary" aria-label={t('editFor', { id: model.name })} onClick={() => setDialog({ editing: model })}>
              {t('common:edit')}
            </button>
            <button type="button" className="button danger" aria-label={t('deleteFor', { id: model.name })} onClick={() => setDeleting(model)}>
              {t('common:delete')}
            </button>
          </span>
        ),
    },
  ];

  return (
    <section className="panel" aria-labelledby="models-heading">
      <div className="providers-panel-header">
        <h2 id="models-heading">{t('modelsHeading')}</h2>
        <button type="button" className="button" onClick={() => setDialog({ editing: null })}>
          {t('addModel')}
        </button>
      </div>
      <p className="muted">{t('modelsIntro')}</p>
      <QueryState query={models}>{(data) => <DataTable caption={t('modelsCaption')} columns={columns} rows={data.data} rowKey={(model) => model.name} />}</QueryState>
      {dialog ? (
        <ModelDialog
          open
          onClose={() => setDialog(null)}
          editing={dialog.editing}
          providers={providers.data?.data ?? []}
          modelNames={(models.data?.data ?? []).map((model) => model.name)}
        />
      ) : null}
      {deleting ? <DeleteModelDialog model={deleting} onClose={() => setDeleting(null)} /> : null}
    </section>
  );
}

function DeleteModelDialog({ model, onClose }: { model: RoutedModel; onClose: () => void }) {
  const { t } = useTranslation(['providers', 'common']);
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteModel(model.name),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['providers'] });
      onClose();
    },
  });
  return (
    <Dialog title={t('deleteModelTitle', { name: model.name })} open onClose={onClose}>
      <p>{t('deleteModelConfirm')}</p>
      {remove.isError ? <ErrorBanner error={remove.error} /> : null}
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={onClose}>
          {t('common:cancel')}
        </button>
        <button type="button" className="button danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
          {t('common:delete')}
        </button>
      </div>
    </Dialog>
  );
}
