import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** The one way a page shows a query's loading and error states (the hub's message, and a retry). */
export function QueryState<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  const { t } = useTranslation();
  if (query.isPending) return <p className="muted" role="status">{t('loading')}</p>;
  if (query.isError) return <ErrorBanner error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}

export function ErrorBanner({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message =
    error instanceof ApiError
      ? error.status === 403 && error.code === 'permission_denied'
        ? t('error.forbidden')
        : error.message
      : error instanceof TypeError
        ? t('error.network')
        : String((error as Error)?.message ?? error);
  return (
    <div className="error-banner" role="alert">
      <strong>{t('error.title')}</strong> <span>{message}</span>
      {onRetry ? (
        <button type="button" className="button secondary" onClick={onRetry}>
          {t('retry')}
        </button>
      ) : null}
    </div>
  );
}
