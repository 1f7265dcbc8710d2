import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';

export default function RequestsPage() {
  const { t } = useTranslation('requests');
  return <PageHeader title={t('title')} />;
}
