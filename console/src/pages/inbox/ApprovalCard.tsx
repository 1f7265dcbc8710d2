import type { InboxTask } from '@contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionError } from './ActionError';

/** The call an agent proposes, with its tool and arguments, for a person to approve or reject. */
export function ApprovalCard({
  task,
  canDecide,
  disabledReason,
  onApprove,
  onReject,
}: {
  task: InboxTask;
  canDecide: boolean | null;
  disabledReason: string | null;
  onApprove: () => Promise<unknown>;
  onReject: (reason: string) => Promise<unknown>;
}) {
  const { t } = useTranslation('inbox');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const decided = task.status !== 'open' && task.status !== 'claimed';
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="approval-card" aria-labelledby="approval-heading">
      <h3 id="approval-heading">{t('approval.heading')}</h3>
      <p>
        {t('approval.tool')} <code className="tool-name">{task.call?.name ?? '—'}</code>
      </p>
      <p className="muted">{t('approval.arguments')}</p>
      <pre className="code" tabIndex={0} role="region" aria-label={t('approval.arguments')}>
        {JSON.stringify(task.call?.arguments ?? {}, null, 2)}
      </pre>
      {decided ? (
        <p className="approval-outcome">
          <strong>{t('approval.decided', { resolution: task.resolution ?? t(`status.${task.status}`) })}</strong>
        </p>
      ) : canDecide === null ? null : (
        <>
          <label>
            <span>{t('approval.reason')}</span>
            <input value={reason} onChange={(event) => setReason(event.target.value)} disabled={!canDecide} maxLength={2000} />
          </label>
          <div className="approval-actions">
            <button type="button" className="button" disabled={!canDecide || busy} onClick={() => void run(onApprove)}>
              {t('approval.approve')}
            </button>
            <button type="button" className="button danger" disabled={!canDecide || busy} onClick={() => void run(() => onReject(reason.trim()))}>
              {t('approval.reject')}
            </button>
            {!canDecide && disabledReason ? <span className="muted">{disabledReason}</span> : null}
          </div>
        </>
      )}
      <ActionError error={error} onDismiss={() => setError(null)} />
    </section>
  );
}
