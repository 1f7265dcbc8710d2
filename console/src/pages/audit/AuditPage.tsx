import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';

export default function AuditPage() {
  const { t } = useTranslation('audit');
  return <PageHeader title={t('title')} />;
}
