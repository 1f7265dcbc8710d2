import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';

export default function LabourPage() {
  const { t } = useTranslation('labour');
  return <PageHeader title={t('title')} />;
}
