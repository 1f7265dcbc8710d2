import * as oidc from 'openid-client';
import { HubError } from '../core/index.js';
import { type Database, UserLookup, type UserRecord } from '../storage/index.js';
import type { Role } from './roles.js';
import type { UserService } from './user-service.js';

export interface SingleSignOnOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** Omitted: the callback URL of the address the sign-in was started at. */
  redirectUri?: string;
  scopes: readonly string[];
  /** Unknown people with a verified email are created in this tenant with this role; omitted: refused. */
  provision?: { tenantId: string; role: Role };
  /** Plain-http issuers (development and tests only). */
  allowHttp?: boolean;
}

/** What the browser keeps between leaving for the issuer and coming back (an HttpOnly cookie). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
}

const unavailable = (cause: unknown): HubError =>
  new HubError('DEPENDENCY_UNAVAILABLE', `The single sign-on issuer cannot be reached: ${(cause as Error)?.message ?? cause}`, {
    code: 'sso_unavailable',
  });

const refused = (message: string, code: string): HubError => new HubError('UNAUTHENTICATED', message, { code });

/**
 * OpenID Connect sign-in (authorization code + PKCE, state and nonce checked by openid-client). The issuer's
 * metadata is discovered on first use and kept; a person is matched by the ID token's verified email.
 */
export class SingleSignOn {
  private configuration: Promise<oidc.Configuration> | null = null;
  private readonly options: SingleSignOnOptions;
  private readonly deps: { db: Database; users: UserService };

  constructor(options: SingleSignOnOptions, deps: { db: Database; users: UserService }) {
    this.options = options;
    this.deps = deps;
  }

  private config(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(
        new URL(this.options.issuer),
        this.options.clientId,
        undefined,
        this.options.clientSecret ? oidc.ClientSecretPost(this.options.clientSecret) : oidc.None(),
        this.options.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.configuration = null;
        throw unavailable(error);
      });
    return this.configuration;
  }

  /** The issuer's authorization URL, and what to remember until the callback. `ownCallback`: this hub's callback URL as the browser reached it. */
  async begin(ownCallback: string): Promise<{ url: string; pending: PendingSignIn }> {
    const config = await this.config();
    const pending: PendingSignIn = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      redirectUri: this.options.redirectUri ?? ownCallback,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: pending.redirectUri,
      scope: this.options.scopes.join(' '),
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /** Exchanges the callback's code and returns the person it names (created when provisioning is on). */
  async complete(query: URLSearchParams, pending: PendingSignIn | null): Promise<UserRecord> {
    if (!pending) throw refused('The sign-in expired or was started in another browser; start again.', 'sso_state_missing');
    const config = await this.config();
    // The URL the issuer redirected to, as registered: openid-client sends it back with the code.
    const callbackUrl = new URL(pending.redirectUri);
    callbackUrl.search = query.toString();
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw refused(`The issuer's answer was refused: ${(error as Error).message}`, 'sso_refused');
    }
    const email = typeof claims?.email === 'string' ? claims.email.trim().toLowerCase() : '';
    if (!email) throw refused('The issuer did not share an email address (ask for the `email` scope).', 'sso_email_missing');
    if (claims?.email_verified === false) throw refused('The issuer says this email is not verified.', 'sso_email_unverified');
    const known = await new UserLookup(this.deps.db).byEmail(email);
    if (known) return known;
    const provision = this.options.provision;
    if (!provision) throw refused(`No TokenHub user has the email ${email}; ask an owner to add you.`, 'sso_user_unknown');
    const name = typeof claims?.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 200) : email;
    const created = await this.deps.users.create({ tenantId: provision.tenantId, email, name, role: provision.role });
    return created.user;
  }
}

/** The pending sign-in as a cookie value and back (random values only; the cookie is HttpOnly and short-lived). */
export const encodePending = (pending: PendingSignIn): string => Buffer.from(JSON.stringify(pending)).toString('base64url');

export function decodePending(value: string | undefined): PendingSignIn | null {
  if (!value || value.length > 1_000) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<PendingSignIn>;
    return typeof parsed.state === 'string' &&
      typeof parsed.nonce === 'string' &&
      typeof parsed.verifier === 'string' &&
      typeof parsed.redirectUri === 'string'
      ? { state: parsed.state, nonce: parsed.nonce, verifier: parsed.verifier, redirectUri: parsed.redirectUri }
      : null;
  } catch {
    return null;
  }
}
