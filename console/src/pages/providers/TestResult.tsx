import type { ProviderTestResult } from '@contract';
import { useTranslation } from 'react-i18next';
import { formatMs } from '../../components/format';

/** How a connection test went: ok with its latency, or the failure with the upstream's status and message. */
export function TestResult({ result }: { result: ProviderTestResult }) {
  const { t } = useTranslation('providers');
  if (result.ok) {
    return (
      <p className="providers-test-result" data-testid="test-result" data-ok="true">
        <span className="badge ok">{t('test.ok')}</span> {t('test.okDetail', { model: result.model, latency: formatMs(result.latency_ms), status: result.status })}
      </p>
    );
  }
  return (
    <p className="providers-test-result" data-testid="test-result" data-ok="false">
      <span className="badge bad">{t('test.failed')}</span>{' '}
      {result.status === null ? t('test.failedNoAnswer', { model: result.model }) : t('test.failedStatus', { model: result.model, status: result.status })}{' '}
      <span className="providers-error-text">{result.error?.message}</span>
    </p>
  );
}
