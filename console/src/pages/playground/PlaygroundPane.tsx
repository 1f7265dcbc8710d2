import type { LedgerRow } from '@contract';
import { useTranslation } from 'react-i18next';
import { formatMs, formatNumber, formatUsd } from '../../components/format';
import type { StreamUsage } from './chat-stream';

export interface Turn {
  id: number;
  /** The model asked (the pane's picker may change later). */
  model: string;
  prompt: string;
  reply: string;
  status: 'streaming' | 'done' | 'stopped' | 'error';
  error: string | null;
  requestId: string | null;
  usage: StreamUsage | null;
  cost: LedgerRow | null;
  costState: 'waiting' | 'ready' | 'missing';
}

export interface PaneState {
  model: string;
  turns: Turn[];
}

function Cost({ turn }: { turn: Turn }) {
  const { t, i18n } = useTranslation('playground');
  if (turn.status === 'streaming') return null;
  if (turn.costState === 'waiting') {
    return (
      <p className="playground-cost muted" role="status">
        {t('cost.waiting')}
      </p>
    );
  }
  const row = turn.cost;
  if (!row) {
    return (
      <p className="playground-cost muted" data-testid="reply-cost" data-state="missing">
        {turn.status === 'stopped' && !turn.requestId
          ? t('cost.stoppedEarly')
          : turn.usage
          ? t('cost.missingWithUsage', { input: formatNumber(turn.usage.prompt_tokens, i18n.language), output: formatNumber(turn.usage.completion_tokens, i18n.language) })
          : t('cost.missing')}
      </p>
    );
  }
  return (
    <p className="playground-cost" data-testid="reply-cost" data-state="ready" data-request-id={row.request_id} data-cost-usd={row.cost_usd}>
      <strong>{t('cost.label', { cost: formatUsd(row.cost_usd, i18n.language) })}</strong>{' '}
      <span className="muted">
        {t('cost.detail', {
          input: formatNumber(row.prompt_tokens, i18n.language),
          output: formatNumber(row.completion_tokens, i18n.language),
          latency: formatMs(row.latency_ms),
        })}
        {row.price_known ? '' : ` ${t('cost.noPrice')}`}
        {row.model_served !== row.model_requested ? ` ${t('cost.servedBy', { model: row.model_served })}` : ''}
      </span>
    </p>
  );
}

/** One side of the playground: its model picker and its conversation, each reply with what it cost. */
export function PlaygroundPane({
  index,
  pane,
  models,
  disabled,
  onModel,
}: {
  index: number;
  pane: PaneState;
  models: string[];
  disabled: boolean;
  onModel: (model: string) => void;
}) {
  const { t } = useTranslation('playground');
  const selectId = `playground-model-${index}`;
  return (
    <section className="playground-pane panel" aria-label={t('paneLabel', { n: index + 1, model: pane.model || t('noModel') })} data-testid={`pane-${index}`}>
      <label htmlFor={selectId}>
        <span>{t('model', { n: index + 1 })}</span>
      </label>
      <select id={selectId} name={`model-${index}`} value={pane.model} disabled={disabled} onChange={(event) => onModel(event.target.value)}>
        {models.map((model) => (
          <option key={model} value={model}>
            {model}
          </option>
        ))}
      </select>
      {pane.turns.length === 0 ? (
        <p className="muted playground-empty">{t('emptyPane')}</p>
      ) : (
        <ol className="transcript playground-transcript">
          {pane.turns.map((turn) => (
            <li key={turn.id} className="playground-turn">
              <div className="message role-user">
                <div className="message-head">
                  <strong>{t('you')}</strong>
                </div>
                <div className="message-body">{turn.prompt}</div>
              </div>
              <div className="message role-assistant" aria-busy={turn.status === 'streaming'} data-testid="reply">
                <div className="message-head">
                  <strong>{turn.model}</strong>
                  <span>{t(`status.${turn.status}`)}</span>
                </div>
                <div className="message-body" data-testid="reply-text">
                  {turn.reply}
                </div>
                {turn.error ? (
                  <p className="field-error" role="alert">
                    {turn.error}
                  </p>
                ) : null}
                <Cost turn={turn} />
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
