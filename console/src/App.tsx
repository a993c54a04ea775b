// The console: providers (data cache, language, notices, session) and its pages by path.
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useEffect } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { ApiError } from './api/client';
import { Layout } from './components/Layout';
import { Notices, useNotices } from './components/Notices';
import { I18n } from './i18n/I18n';
import { Companies } from './pages/Companies';
import { SignIn } from './pages/SignIn';
import { SESSION_KEY, Session, loadSession, useSession } from './session';

// Managed Companies is where most visits start, so it comes with the first download; the rest
// arrives when first opened.
const AccountPages = lazy(() => import('./pages/account/AccountPages').then((m) => ({ default: m.AccountPages })));
const Audit = lazy(() => import('./pages/Audit').then((m) => ({ default: m.Audit })));
const Settings = lazy(() => import('./pages/Settings').then((m) => ({ default: m.Settings })));
const Templates = lazy(() => import('./pages/Templates').then((m) => ({ default: m.Templates })));
const Usage = lazy(() => import('./pages/Usage').then((m) => ({ default: m.Usage })));
const Notifications = lazy(() => import('./pages/Notifications').then((m) => ({ default: m.Notifications })));
const Technicians = lazy(() => import('./pages/Technicians').then((m) => ({ default: m.Technicians })));

const queryClient: QueryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // What was loaded shows at once and is read again in the background: people accept
      // invitations and IdPs push changes while a page is open.
      staleTime: 0,
      refetchOnWindowFocus: false,
      // A 4xx answer will not change by asking again.
      retry: (n, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && n < 2,
    },
  },
  queryCache: new QueryCache({
    onError: (err) => {
      // The session ended (expired, signed out elsewhere): back to the sign-in page.
      if (err instanceof ApiError && err.status === 401) queryClient.setQueryData(SESSION_KEY, null);
    },
  }),
});

// Who is signed in is asked for at once, while the language's words load.
void queryClient.prefetchQuery({ queryKey: SESSION_KEY, queryFn: loadSession, staleTime: Infinity });

function Pages() {
  const { me, isMsp } = useSession();
  const [location] = useLocation();
  const { clear } = useNotices();
  useEffect(() => clear(), [location, clear]);
  if (me === undefined) return <p className="loading">…</p>;
  if (me === null) return <SignIn />;
  const home = isMsp ? '/companies' : `/accounts/${me.accountId}`;
  return (
    <Layout>
      <Suspense fallback={<p className="loading">…</p>}>
        <Switch>
          <Route path="/">
            <Redirect to={home} replace />
          </Route>
          <Route path="/signin">
            <Redirect to={home} replace />
          </Route>
          <Route path="/companies" component={Companies} />
          <Route path="/technicians" component={Technicians} />
          <Route path="/audit" component={Audit} />
          <Route path="/usage" component={Usage} />
          <Route path="/templates" component={Templates} />
          <Route path="/notifications" component={Notifications} />
          <Route path="/settings" component={Settings} />
          <Route path="/accounts/:accountId" nest>
            {(params) => <AccountPages accountId={params.accountId} />}
          </Route>
          <Route>
            <Redirect to={home} replace />
          </Route>
        </Switch>
      </Suspense>
    </Layout>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <I18n>
        <Notices>
          <Session>
            <Pages />
          </Session>
        </Notices>
      </I18n>
    </QueryClientProvider>
  );
}
