import { useSession } from '../../auth/session';
import type { KeyRow } from './keys-api';

/**
 * What the caller may do with keys, as the console shows it (the hub decides again on every request).
 * Service keys follow `service_keys:write`; a personal key's scopes follow its owner's role, so it is
 * revoked, never edited: by its owner (`keys:write`) or by whoever manages people (`users:write`).
 */
export function useKeyAccess() {
  const session = useSession();
  const self = session.me?.user?.id ?? null;
  const canWriteServiceKeys = session.can('service_keys:write');
  return {
    canCreate: canWriteServiceKeys,
    canEdit: (key: KeyRow) => !key.revoked_at && !key.user_id && canWriteServiceKeys,
    canRevoke: (key: KeyRow) =>
      !key.revoked_at &&
      (key.user_id ? session.isAdmin || session.can('users:write') || (key.user_id === self && session.can('keys:write')) : canWriteServiceKeys),
    canWriteBudgets: session.can('budgets:write'),
  };
}
