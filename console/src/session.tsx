// Who is signed in: the session's CSRF token and /me, fetched once and shared. A 401 from any
// request means the session ended: the console shows the sign-in page again.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo } from 'react';
import { api, ok, setCsrf } from './api/client';
import type { paths } from './api/schema';

export type Me = paths['/me']['get']['responses'][200]['content']['application/json'];

export const SESSION_KEY = ['session'] as const;

export async function loadSession(): Promise<Me | null> {
  const res = await fetch('/api/v1/session', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) {
    setCsrf(null);
    return null;
  }
  const { csrfToken } = (await res.json()) as { csrfToken: string | null };
  setCsrf(csrfToken);
  return ok(api.GET('/me'));
}

interface SessionValue {
  me: Me | null | undefined;
  /** Re-reads the session (after signing in). */
  refresh(): Promise<void>;
  signOut(): Promise<void>;
  isMsp: boolean;
  isManager: boolean;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

export function useSession(): SessionValue {
  return useContext(SessionContext)!;
}

export function Session({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const { data: me } = useQuery({ queryKey: SESSION_KEY, queryFn: loadSession, staleTime: Infinity });
  const refresh = useCallback(async () => {
    await client.resetQueries();
  }, [client]);
  const signOut = useCallback(async () => {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } }).catch(() => undefined);
    sessionStorage.clear();
    setCsrf(null);
    // The session query stays (its page listens to it); everything the person saw goes.
    client.setQueryData(SESSION_KEY, null);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    window.history.replaceState(null, '', '/signin');
  }, [client]);
  const value = useMemo<SessionValue>(
    () => ({
      me,
      refresh,
      signOut,
      isMsp: me?.accountKind === 'msp',
      isManager: Boolean(me?.roles.some((r) => r === 'owners' || r === 'administrators')),
    }),
    [me, refresh, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
