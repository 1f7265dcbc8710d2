import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';

export default function ProvidersPage() {
  const { t } = useTranslation('providers');
  return <PageHeader title={t('title')} />;
}
