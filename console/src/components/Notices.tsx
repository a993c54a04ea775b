// Success messages (a polite status region) and page-level errors (an alert region), both in the
// reader's language; errors in a dialog are shown in the dialog instead (see FormDialog).
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { ApiError } from '../api/client';
import { type ConsoleKey, useT } from '../i18n/I18n';

interface NoticesValue {
  notify(message: string): void;
  fail(error: unknown): void;
  clear(): void;
}

const NoticesContext = createContext<NoticesValue>({ notify: () => undefined, fail: () => undefined, clear: () => undefined });
export const useNotices = () => useContext(NoticesContext);

type T = (key: ConsoleKey, values?: Record<string, string | number | null | undefined>) => string;

/** An error as a sentence in the reader's language: the server localises its messages, the console its field checks. */
export function errorText(t: T, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t('error.network');
    if (error.code === 'rate_limited') return t('error.rateLimited');
    if (error.status >= 500) return t('error.server');
    return error.message || t('error.server');
  }
  return t('error.server');
}

export function Notices({ children }: { children: ReactNode }) {
  const t = useT();
  const [status, setStatus] = useState<{ text: string; n: number; at: number }>();
  const [alert, setAlert] = useState<string>();
  const notify = useCallback((text: string) => {
    setAlert(undefined);
    setStatus((s) => ({ text, n: (s?.n ?? 0) + 1, at: Date.now() }));
  }, []);
  const fail = useCallback(
    (error: unknown) => {
      setStatus(undefined);
      setAlert(errorText(t, error));
    },
    [t],
  );
  // Going to another page clears old news, but not the message of what took the person there
  // ("You no longer act in …" after ending a launch).
  const clear = useCallback(() => {
    setStatus((s) => (s && Date.now() - s.at < 1500 ? s : undefined));
    setAlert(undefined);
  }, []);
  const value = useMemo(() => ({ notify, fail, clear }), [notify, fail, clear]);
  return (
    <NoticesContext.Provider value={value}>
      {children}
      <div className="notices">
        <div role="status" aria-live="polite" className={status ? 'notice ok' : 'notice'} data-testid="status">
          {status && (
            <>
              <span key={status.n}>{status.text}</span>
              <button type="button" className="notice-close" aria-label={t('dismiss')} onClick={() => setStatus(undefined)}>
                ×
              </button>
            </>
          )}
        </div>
        <div role="alert" className={alert ? 'notice bad' : 'notice'} data-testid="alert">
          {alert && (
            <>
              <span>{alert}</span>
              <button type="button" className="notice-close" aria-label={t('dismiss')} onClick={() => setAlert(undefined)}>
                ×
              </button>
            </>
          )}
        </div>
      </div>
    </NoticesContext.Provider>
  );
}
