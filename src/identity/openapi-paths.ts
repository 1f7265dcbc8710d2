import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { PERMISSIONS, ROLES } from './roles.js';
import { loginBody, newKeyBody, newUserBody, userIdParams, userListQuery, userPatchBody } from './routes/user-schemas.js';

const TAG = 'People';
const ERRORS = {
  default: {
    description:
      'An error, as `{ "error": { "message", "type", "param", "code" } }`: 400 naming the field, 401 (`session_expired`, `user_disabled`), 403 (`permission_denied` naming the role and permission, `csrf_token_invalid` for a signed-in write without `x-csrf-token`), 404 `user_not_found`, 409 for an email already taken.',
    content: { 'application/json': {} },
  },
};

const instant = z.string().meta({ format: 'date-time' });

const userSchema = z.object({
  id: z.string(),
  object: z.literal('user'),
  tenant_id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  has_password: z.boolean(),
  disabled: z.boolean(),
  disabled_at: instant.optional(),
  created_at: instant,
  updated_at: instant,
});

// Named once at load (zod's registry refuses a second schema under the same id); the admin API's paths use them too.
export const identitySchemas = {
  user: userSchema.meta({ id: 'User' }),
  userList: z.object({ object: z.literal('list'), data: z.array(userSchema) }).meta({ id: 'UserList' }),
  createdUser: userSchema
    .extend({ key: z.string().meta({ description: 'The personal key, shown this once.' }), key_id: z.string() })
    .meta({ id: 'CreatedUser' }),
  newUser: newUserBody.meta({ id: 'CreateUserRequest' }),
  patchUser: userPatchBody.meta({ id: 'UpdateUserRequest' }),
};

const schemas = {
  login: loginBody.meta({ id: 'LoginRequest' }),
  newKey: newKeyBody.meta({ id: 'CreatePersonalKeyRequest' }),
  session: z
    .object({ object: z.literal('session'), user: identitySchemas.user, csrf_token: z.string(), expires_at: instant })
    .meta({ id: 'Session' }),
  caller: z
    .object({
      object: z.literal('caller'),
      kind: z.enum(['admin', 'user', 'service_key']),
      via: z.enum(['key', 'session']).optional(),
      tenant_id: z.string().optional(),
      key_id: z.string().nullable().optional(),
      user: identitySchemas.user.optional(),
      permissions: z.array(z.enum(PERMISSIONS)),
    })
    .meta({ id: 'Caller' }),
  personalKey: z
    .object({
      id: z.string(),
      object: z.literal('api_key'),
      name: z.string().nullable(),
      key: z.string().meta({ description: 'The secret, shown this once.' }),
      key_prefix: z.string(),
      scopes: z.array(z.string()),
      user_id: z.string().nullable(),
      created_at: instant,
    })
    .meta({ id: 'PersonalKey' }),
};

const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const operation = (summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject => ({
  summary,
  tags: [TAG],
  ...rest,
  responses: { ...rest.responses, ...ERRORS },
});

/** The routes of `identityRoutes`: signing in, the caller, a tenant's people and their personal keys. */
export function identityApiPaths(): ZodOpenApiPathsObject {
  const path = { path: userIdParams };
  return {
    '/v1/auth/login': {
      post: operation('Sign in with email and password', {
        description:
          'Sets the HttpOnly, SameSite=Strict session cookie. Writes made with the cookie must send the returned `csrf_token` in `x-csrf-token`. Attempts are limited per client address and replica (429 `login_rate_limited`).',
        security: [],
        requestBody: body(schemas.login),
        responses: { '200': json('The session: the person, the CSRF token and when it ends.', schemas.session) },
      }),
    },
    '/v1/auth/logout': {
      post: operation('Sign out', {
        description: 'Ends the session of the cookie (a key caller has none to end) and clears the cookie.',
        responses: { '204': { description: 'Signed out.' } },
      }),
    },
    '/v1/auth/sso': {
      get: operation('Whether single sign-on is on', {
        security: [],
        responses: {
          '200': json(
            'Whether OpenID Connect sign-in is configured (`auth.oidc`), and where the console sends people to use it.',
            z.object({ object: z.literal('sso'), enabled: z.boolean(), login_url: z.string().optional() }),
          ),
        },
      }),
    },
    '/v1/auth/sso/login': {
      get: operation('Sign in with single sign-on', {
        description:
          'Redirects to the OpenID Connect issuer (authorization code with PKCE, state and nonce); the pending sign-in is kept in a short-lived HttpOnly cookie. 404 `sso_not_configured` without `auth.oidc`, 503 `sso_unavailable` when the issuer cannot be reached.',
        security: [],
        responses: { '302': { description: "To the issuer's sign-in page." } },
      }),
    },
    '/v1/auth/sso/callback': {
      get: operation('Back from the single sign-on issuer', {
        description:
          "Exchanges the code, matches the person by the ID token's verified email (or creates them when `auth.oidc.provision` is set), sets the session cookie and redirects to `/console/`; the CSRF token is handed to the console in a short-lived `tokenhub_csrf` cookie. A failure redirects to `/console/login?sso_error=<code>` (`sso_state_missing`, `sso_refused`, `sso_email_missing`, `sso_email_unverified`, `sso_user_unknown`, `user_disabled`).",
        security: [],
        requestParams: { query: z.object({ code: z.string().optional(), state: z.string().optional() }) },
        responses: { '302': { description: 'To the console, signed in; or to its sign-in page with the error.' } },
      }),
    },
    '/v1/me': {
      get: operation('Who is calling, and what they may do', {
        responses: { '200': json('The caller: a person (by key or session), a service key, or the admin key.', schemas.caller) },
      }),
    },
    '/v1/users': {
      get: operation("List the tenant's people (users:read)", {
        requestParams: { query: userListQuery },
        responses: { '200': json('The people, oldest first.', identitySchemas.userList) },
      }),
      post: operation('Add a person (users:write)', {
        description: 'With a personal key, shown once; `password` (10 to 256 characters) lets them sign in to the console.',
        requestBody: body(identitySchemas.newUser),
        responses: { '201': json('The person with their personal key.', identitySchemas.createdUser) },
      }),
    },
    '/v1/users/{id}': {
      get: operation('Read a person (users:read)', {
        requestParams: path,
        responses: { '200': json('The person.', identitySchemas.user) },
      }),
      patch: operation("Change a person's role, name, password or disabled flag (users:write)", {
        description: 'Disabling a person revokes their keys and ends their sessions; the last active owner cannot be demoted or disabled.',
        requestParams: path,
        requestBody: body(identitySchemas.patchUser),
        responses: { '200': json('The person as changed.', identitySchemas.user) },
      }),
    },
    '/v1/users/{id}/keys': {
      post: operation('Add a personal key (keys:write: your own; users:write: anyone’s)', {
        requestParams: path,
        requestBody: body(schemas.newKey),
        responses: { '201': json('The key with its secret, shown this once.', schemas.personalKey) },
      }),
    },
  };
}
