import type { InboxTask } from '@contract';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { clockDigits } from './clock';

const HUB_REASONS = new Set(['transfer_to_human', 'approval', 'needs_attention', 'customer_request', 'negative_sentiment', 'tool_errors', 'budget_exhausted']);
const SOON_MS = 15 * 60_000;

/** Hand-off, approval, or a run that stopped needing attention. */
export function kindOf(task: InboxTask): 'handoff' | 'approval' | 'needs_attention' {
  if (task.kind === 'approval') return 'approval';
  return task.reason === 'needs_attention' ? 'needs_attention' : 'handoff';
}

/** The hub's reasons in words; an agent's own words (from `transfer_to_human`) as it wrote them. */
export const reasonLabel = (reason: string, t: TFunction): string => (HUB_REASONS.has(reason) ? t(`inbox:reason.${reason}`) : reason);

export const shortId = (id: string | null): string => (id ? `…${id.slice(-6)}` : '—');

export function KindBadge({ task }: { task: InboxTask }) {
  const { t } = useTranslation('inbox');
  const kind = kindOf(task);
  return <span className={`badge kind-${kind}`}>{t(`kind.${kind}`)}</span>;
}

export function StatusBadge({ status }: { status: InboxTask['status'] }) {
  const { t } = useTranslation('inbox');
  const tone = status === 'open' ? 'warn' : status === 'claimed' ? '' : status === 'resolved' || status === 'returned' ? 'ok' : 'bad';
  return <span className={`badge ${tone}`}>{t(`status.${status}`)}</span>;
}

export const isBreached = (task: InboxTask, now: number): boolean =>
  task.sla_breached || (task.due_at !== null && (task.status === 'open' || task.status === 'claimed') && Date.parse(task.due_at) <= now);

/** The SLA clock: time left to the task's due time, ticking with `now`; past it, marked in words as well as colour. */
export function SlaClock({ task, now }: { task: InboxTask; now: number }) {
  const { t } = useTranslation('inbox');
  if (!task.due_at) return null;
  if (task.status !== 'open' && task.status !== 'claimed') {
    return task.sla_breached ? <span className="sla breached">{t('sla.breachedClosed')}</span> : null;
  }
  const left = Date.parse(task.due_at) - now;
  if (isBreached(task, now)) {
    return (
      <span className="sla breached">
        <span aria-hidden="true">⚠ </span>
        {t('sla.breached', { time: clockDigits(-left) })}
      </span>
    );
  }
  return <span className={left < SOON_MS ? 'sla soon' : 'sla'}>{t('sla.left', { time: clockDigits(left) })}</span>;
}
