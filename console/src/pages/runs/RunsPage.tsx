import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';

export default function RunsPage() {
  const { t } = useTranslation('runs');
  return <PageHeader title={t('title')} />;
}
