import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';

export default function AgentsPage() {
  const { t } = useTranslation('agents');
  return <PageHeader title={t('title')} />;
}
