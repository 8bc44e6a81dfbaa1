import { useEffect, useMemo, useState } from 'react';
import { Provider } from 'urql';
import { createGraphqlClient } from './lib/client';
import { sessionStore } from './lib/session';
import { useSession } from './lib/use-session';
import { Redirect, matchRoute, navigate, useLocation } from './lib/router';
import { Layout } from './components/Layout';
import { AnnouncerProvider } from './lib/announcer';
import { usePageFocus } from './lib/page-focus';
import { LogInPage } from './pages/LogInPage';
import { SignUpPage } from './pages/SignUpPage';
import { AcceptInvitationPage } from './pages/AcceptInvitationPage';
import { BrandsPage } from './pages/BrandsPage';
import { BrandPage } from './pages/BrandPage';
import { CampaignsPage } from './pages/CampaignsPage';
import { CampaignPage } from './pages/CampaignPage';
import { TeamPage } from './pages/TeamPage';
import { DevelopersPage } from './pages/DevelopersPage';
import { UsagePage } from './pages/UsagePage';
import { NotFoundPage } from './pages/NotFoundPage';

const PUBLIC_PATHS = ['/login', '/signup'];

export function App() {
  const session = useSession();
  const { path } = useLocation();
  const [restoring, setRestoring] = useState(true);
  usePageFocus(restoring ? null : path);

  // A reload keeps the person signed in through the httpOnly refresh cookie.
  useEffect(() => {
    void sessionStore.refresh().finally(() => setRestoring(false));
  }, []);

  const workspaceId = session?.workspace?.id ?? 'none';
  const userId = session?.user.id ?? 'none';
  const client = useMemo(() => createGraphqlClient(sessionStore), [workspaceId, userId]);

  useEffect(() => {
    if (restoring) return;
    if (!session && !PUBLIC_PATHS.includes(path) && path !== '/accept-invitation') {
      navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, true);
    } else if (session && PUBLIC_PATHS.includes(path)) {
      navigate(new URLSearchParams(location.search).get('next') ?? '/', true);
    }
  }, [restoring, session, path]);

  if (restoring)
    return (
      <p className="boot" role="status">
        Loading Brandwright…
      </p>
    );

  if (!session) {
    if (path === '/signup') return <SignUpPage />;
    if (path === '/accept-invitation') return <AcceptInvitationPage signedIn={false} />;
    return <LogInPage />;
  }

  return (
    <Provider value={client} key={`${userId}:${workspaceId}`}>
      <AnnouncerProvider>
        <Layout>{route(path)}</Layout>
      </AnnouncerProvider>
    </Provider>
  );
}

function route(path: string) {
  let params: Record<string, string> | null;
  if (path === '/' || path === '/brands') return <BrandsPage />;
  if ((params = matchRoute('/brands/:id', path))) return <BrandPage id={params.id} />;
  if (path === '/campaigns') return <CampaignsPage />;
  if ((params = matchRoute('/campaigns/:id', path))) return <CampaignPage id={params.id} />;
  if (path === '/team') return <TeamPage />;
  if (path === '/developers') return <DevelopersPage />;
  if (path === '/usage') return <UsagePage />;
  // The api sends Stripe Checkout and the Customer Portal back to PUBLIC_URL/billing.
  if (path === '/billing') return <Redirect to={`/usage${location.search}`} />;
  if (path === '/accept-invitation') return <AcceptInvitationPage signedIn />;
  return <NotFoundPage />;
}
