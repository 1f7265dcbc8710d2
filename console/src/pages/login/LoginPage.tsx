import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { login, signInWithAdminKey } from '../../api/me';
import { useSession } from '../../auth/session';
import { ErrorBanner } from '../../components/QueryState';
import { LANGUAGES, type Language, setLanguage } from '../../i18n/i18n';

type Mode = 'password' | 'admin' | 'bootstrap';

interface SsoInfo {
  enabled: boolean;
  login_url?: string;
}

export default function LoginPage() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const [mode, setMode] = useState<Mode>('password');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState<SsoInfo | null>(null);
  const ssoError = new URLSearchParams(window.location.search).get('sso_error');
  if (sso === null) void api<SsoInfo>('/v1/auth/sso').then(setSso, () => setSso({ enabled: false }));
  if (session.me) return <Navigate to="/overview" replace />;

  const submit = async (form: FormData) => {
    setBusy(true);
    setError(null);
    try {
      const value = (name: string) => String(form.get(name) ?? '');
      if (mode === 'password') await login(value('email'), value('password'));
      else if (mode === 'admin') {
        await signInWithAdminKey(value('adminKey')).catch((cause: unknown) => {
          throw cause instanceof Error && cause.message === 'not-admin' ? new Error(t('login.notAdminKey')) : cause;
        });
      } else {
        const adminKey = value('adminKey');
        const tenant = await api<{ id: string }>('/admin/v1/tenants', { method: 'POST', bearer: adminKey, body: { name: value('tenantName') } });
        await api('/admin/v1/users', { method: 'POST', bearer: adminKey, body: { tenant_id: tenant.id, email: value('email'), name: value('name'), role: 'owner', password: value('password') } });
        await login(value('email'), value('password'));
      }
      await session.refresh();
      navigate('/overview');
    } catch (cause) {
      setError(cause);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <div className="login-card">
        <h1>{mode === 'bootstrap' ? t('login.bootstrapTitle') : t('login.title')}</h1>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit(new FormData(event.currentTarget));
          }}
        >
          {mode !== 'password' ? (
            <label>
              <span>{t('login.adminKey')}</span>
              <input name="adminKey" type="password" autoComplete="off" required />
              <small className="muted">{t('login.adminKeyHelp')}</small>
            </label>
          ) : null}
          {mode === 'bootstrap' ? (
            <>
              <label>
                <span>{t('login.tenantName')}</span>
                <input name="tenantName" required />
              </label>
              <label>
                <span>{t('login.name')}</span>
                <input name="name" autoComplete="name" required />
              </label>
            </>
          ) : null}
          {mode !== 'admin' ? (
            <>
              <label>
                <span>{t('login.email')}</span>
                <input name="email" type="email" autoComplete="username" required />
              </label>
              <label>
                <span>{t('login.password')}</span>
                <input name="password" type="password" autoComplete={mode === 'bootstrap' ? 'new-password' : 'current-password'} required />
              </label>
            </>
          ) : null}
          {error ? <ErrorBanner error={error} /> : null}
          {ssoError && !error ? (
            <div className="error-banner" role="alert">
              {t(`login.ssoErrors.${ssoError}`, { defaultValue: t('login.ssoErrors.other', { code: ssoError }) })}
            </div>
          ) : null}
          <button type="submit" className="button" disabled={busy}>
            {mode === 'bootstrap' ? t('login.bootstrapSubmit') : t('login.submit')}
          </button>
        </form>
        <div className="login-links">
          {sso?.enabled && sso.login_url ? (
            <a className="button secondary" href={sso.login_url}>
              {t('login.sso')}
            </a>
          ) : null}
          {mode !== 'password' ? (
            <button type="button" className="link" onClick={() => setMode('password')}>
              {t('login.withPassword')}
            </button>
          ) : null}
          {mode !== 'admin' ? (
            <button type="button" className="link" onClick={() => setMode('admin')}>
              {t('login.withAdminKey')}
            </button>
          ) : null}
          {mode !== 'bootstrap' ? (
            <button type="button" className="link" onClick={() => setMode('bootstrap')}>
              {t('login.bootstrap')}
            </button>
          ) : null}
        </div>
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
      </div>
    </main>
  );
}
