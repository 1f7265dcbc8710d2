import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';

export default function PlaygroundPage() {
  const { t } = useTranslation('playground');
  return <PageHeader title={t('title')} />;
}
