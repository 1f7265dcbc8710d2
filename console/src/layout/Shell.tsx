import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { logout } from '../api/me';
import { visiblePages } from '../app/pages';
import { useSession } from '../auth/session';
import { LANGUAGES, type Language, setLanguage } from '../i18n/i18n';

export function Shell() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const pages = visiblePages(session.isAdmin, session.can);
  const user = session.me?.user;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <aside className="sidebar">
        <div className="brand">{t('product')}</div>
        <nav aria-label={t('mainNavigation')}>
          <ul>
            {pages.map((page) => (
              <li key={page.id}>
                <NavLink to={`/${page.path}`} className={({ isActive }) => (isActive ? 'active' : undefined)}>
                  {t(`nav.${page.id}`)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <div className="content">
        <div className="topbar">
          <span className="who">{session.isAdmin ? t('hubAdmin') : user ? t('signedInAs', { name: user.name ?? user.email, role: t(`roles.${user.role}`) }) : null}</span>
          <label className="language">
            <span>{t('language')}</span>
            <select value={i18n.language} onChange={(event) => void setLanguage(event.target.value as Language)}>
              {LANGUAGES.map((language) => (
                <option key={language} value={language}>
                  {t(`languages.${language}`)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button secondary"
            onClick={async () => {
              await logout();
              await session.refresh();
              navigate('/login');
            }}
          >
            {t('signOut')}
          </button>
        </div>
        <main id="main" tabIndex={-1}>
          {pages.length === 0 ? <p>{t('noAccess')}</p> : null}
          <Suspense fallback={<p className="muted" role="status">{t('loading')}</p>}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </div>
  );
}
