import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';

const KNOWN = new Set(['task_claimed', 'task_not_claimed', 'task_closed', 'approval_not_pending', 'task_has_no_thread', 'tool_not_found', 'csrf_token_invalid']);

/** An action the hub refused, in words an operator acts on (a 409 says who holds the task), with the hub's own message. */
export function ActionError({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  const { t } = useTranslation(['inbox', 'common']);
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : null;
  const headline = code && KNOWN.has(code) ? t(`errors.${code}`) : error instanceof TypeError ? t('common:error.network') : t('errors.refused');
  const detail = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  return (
    <div className="error-banner inbox-error" role="alert">
      <span>
        <strong>{headline}</strong>
        {error instanceof ApiError ? <span className="muted"> {t('errors.status', { status: error.status, message: detail })}</span> : null}
      </span>
      {onDismiss ? (
        <button type="button" className="button secondary" onClick={onDismiss}>
          {t('common:close')}
        </button>
      ) : null}
    </div>
  );
}
