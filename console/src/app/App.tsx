import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, Link, Navigate, RouterProvider } from 'react-router';
import { useSession } from '../auth/session';
import { Shell } from '../layout/Shell';
import LoginPage from '../pages/login/LoginPage';
import { PAGES, visiblePages } from './pages';

function RequireSession() {
  const { t } = useTranslation();
  const session = useSession();
  if (session.loading) return <p className="muted" role="status">{t('loading')}</p>;
  if (!session.me) return <Navigate to="/login" replace />;
  return <Shell />;
}

function Home() {
  const session = useSession();
  const first = visiblePages(session.isAdmin, session.can)[0];
  return first ? <Navigate to={`/${first.path}`} replace /> : null;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <section>
      <h1>{t('notFound.title')}</h1>
      <Link to="/">{t('notFound.back')}</Link>
    </section>
  );
}

/** A page the caller may not see renders as not found, exactly like one that does not exist. */
function Guarded({ id }: { id: string }) {
  const session = useSession();
  const page = visiblePages(session.isAdmin, session.can).find((entry) => entry.id === id);
  if (!page) return <NotFound />;
  const Component = page.component;
  return <Component />;
}

const router = createBrowserRouter(
  [
    { path: '/login', element: <LoginPage /> },
    {
      path: '/',
      element: <RequireSession />,
      children: [
        { index: true, element: <Home /> },
        ...PAGES.map((page) => ({ path: `${page.path}/*`, element: <Guarded id={page.id} /> })),
        { path: '*', element: <NotFound /> },
      ],
    },
  ],
  { basename: '/console' },
);

export function App() {
  return (
    <Suspense>
      <RouterProvider router={router} />
    </Suspense>
  );
}
