import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog';
import { ErrorBanner } from '../../components/QueryState';
import { type KeyRow, revokeKey } from './keys-api';

/** Revoking is final: the confirmation names the key and says that its callers stop at once. */
export function RevokeKeyDialog({ target, onClose }: { target: KeyRow | null; onClose: () => void }) {
  const { t } = useTranslation(['keys', 'common']);
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => revokeKey(id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
      close();
    },
  });
  const close = () => {
    revoke.reset();
    onClose();
  };
  return (
    <Dialog title={t('revoke.title')} open={target !== null} onClose={close}>
      {target ? (
        <>
          <p>{t('revoke.confirm', { name: target.name ?? t('unnamed'), prefix: target.key_prefix })}</p>
          {revoke.isError ? <ErrorBanner error={revoke.error} /> : null}
          <div className="dialog-actions">
            <button type="button" className="button secondary" onClick={close}>
              {t('common:cancel')}
            </button>
            <button type="button" className="button danger" aria-disabled={revoke.isPending} onClick={() => (revoke.isPending ? undefined : revoke.mutate(target.id))}>
              {t('revoke.submit')}
            </button>
          </div>
        </>
      ) : null}
    </Dialog>
  );
}
