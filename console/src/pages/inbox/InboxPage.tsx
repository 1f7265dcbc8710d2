import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';

export default function InboxPage() {
  const { t } = useTranslation('inbox');
  return <PageHeader title={t('title')} />;
}
