import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { ModelSection } from './ModelSection';
import { ProviderSection } from './ProviderSection';

/** Providers and models (hub admin only): upstreams with their health and a connection test, and the routed models with their routes and prices. */
export default function ProvidersPage() {
  const { t } = useTranslation('providers');
  return (
    <section className="providers-page">
      <PageHeader title={t('title')}>
        <p className="muted">{t('intro')}</p>
      </PageHeader>
      <ProviderSection />
      <ModelSection />
    </section>
  );
}
