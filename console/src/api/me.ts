import { api, credentials } from './client';

export type Role = 'owner' | 'developer' | 'operator' | 'viewer';

export interface MeUser {
  id: string;
  tenant_id: string;
  email: string;
  name: string | null;
  role: Role;
}

/** `GET /v1/me`: who this tab is, and what it may do (the console shows and hides by these permissions). */
export interface Me {
  object: 'caller';
  kind: 'admin' | 'user' | 'service_key';
  tenant_id?: string;
  user?: MeUser;
  permissions: string[];
}

export interface LoginResponse {
  object: 'session';
  user: MeUser;
  csrf_token: string;
  expires_at: string;
}

export const fetchMe = () => api<Me>('/v1/me');

export async function login(email: string, password: string): Promise<LoginResponse> {
  credentials.setAdminKey(null);
  const session = await api<LoginResponse>('/v1/auth/login', { method: 'POST', body: { email, password } });
  credentials.setCsrf(session.csrf_token);
  return session;
}

/** Checks the key against `GET /v1/me` before keeping it for this tab. */
export async function signInWithAdminKey(key: string): Promise<Me> {
  const me = await api<Me>('/v1/me', { bearer: key });
  if (me.kind !== 'admin') throw new Error('not-admin');
  credentials.setAdminKey(key);
  return me;
}

export async function logout(): Promise<void> {
  if (credentials.adminKey()) credentials.setAdminKey(null);
  else await api<void>('/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
  credentials.setCsrf(null);
}
