import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';

export default function OverviewPage() {
  const { t } = useTranslation('overview');
  return <PageHeader title={t('title')} />;
}
