import { createHash, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePerson {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface FakeOidcIssuer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who "signs in" at the issuer's authorize step next. */
  signInAs(person: FakePerson): void;
  /** Token requests the issuer refused, with why. */
  refusals: string[];
  close(): Promise<void>;
}

const b64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url');

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * An OpenID Connect issuer on 127.0.0.1 that speaks the real protocol: discovery, an authorize endpoint that
 * signs the chosen person in at once and redirects back with a code, a token endpoint that checks the client
 * secret and the PKCE verifier and returns an RS256-signed ID token carrying the nonce, and its JWKS.
 */
export async function startFakeOidcIssuer(): Promise<FakeOidcIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = b64url(randomBytes(8));
  const clientId = 'tokenhub-console';
  const clientSecret = b64url(randomBytes(16));
  const codes = new Map<string, { person: FakePerson; nonce: string; challenge: string; redirectUri: string }>();
  const refusals: string[] = [];
  let person: FakePerson = { sub: 'nobody' };
  let issuer = '';

  const idToken = (claims: Record<string, unknown>): string => {
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
    const payload = b64url(JSON.stringify(claims));
    const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey);
    return `${header}.${payload}.${b64url(signature)}`;
  };

  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        scopes_supported: ['openid', 'email', 'profile'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    if (url.pathname === '/authorize') {
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      if (url.searchParams.get('client_id') !== clientId || url.searchParams.get('code_challenge_method') !== 'S256') {
        return json(400, { error: 'invalid_request' });
      }
      const code = b64url(randomBytes(12));
      codes.set(code, {
        person,
        nonce: url.searchParams.get('nonce') ?? '',
        challenge: url.searchParams.get('code_challenge') ?? '',
        redirectUri,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      response.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      const form = await formOf(request);
      const grant = codes.get(form.get('code') ?? '');
      const refuse = (why: string) => {
        refusals.push(why);
        json(400, { error: 'invalid_grant', error_description: why });
      };
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return refuse('client authentication');
      if (!grant) return refuse('unknown or used code');
      codes.delete(form.get('code') ?? '');
      if (form.get('redirect_uri') !== grant.redirectUri) return refuse('redirect_uri mismatch');
      const verifier = form.get('code_verifier') ?? '';
      if (b64url(createHash('sha256').update(verifier).digest()) !== grant.challenge) return refuse('PKCE verifier mismatch');
      const now = Math.floor(Date.now() / 1000);
      return json(200, {
        access_token: b64url(randomBytes(16)),
        token_type: 'Bearer',
        expires_in: 300,
        id_token: idToken({ iss: issuer, aud: clientId, iat: now, exp: now + 300, nonce: grant.nonce, ...grant.person }),
      });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    clientId,
    clientSecret,
    refusals,
    signInAs(next) {
      person = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
