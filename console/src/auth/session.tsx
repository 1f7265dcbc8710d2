import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import { ApiError } from '../api/client';
import { fetchMe, type Me } from '../api/me';

interface SessionState {
  me: Me | null;
  loading: boolean;
  /** Whether the signed-in caller holds this permission (the admin key holds all). */
  can: (permission: string) => boolean;
  isAdmin: boolean;
  refresh: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const me = useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await fetchMe();
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
        throw error;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
  const value: SessionState = {
    me: me.data ?? null,
    loading: me.isPending,
    isAdmin: me.data?.kind === 'admin',
    can: (permission) => me.data?.permissions.includes(permission) ?? false,
    refresh: async () => {
      queryClient.clear();
      await me.refetch();
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
