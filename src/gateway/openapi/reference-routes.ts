import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HubError } from '../../core/index.js';

/** Swagger UI's files the page loads, with their content types; nothing else under its folder is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// The hub may have no internet: every script, style and request stays on this origin. `data:` images are
// the icons swagger-ui.css embeds.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>TokenHub API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
`;

// A file, not an inline script, so that the policy needs no 'unsafe-inline'; validatorUrl null: no call to swagger.io.
const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/**
 * `GET /openapi.json` (the document, serialized once) and `GET /docs` (Swagger UI from the hub's own
 * node_modules, under a self-only Content-Security-Policy). Both are public: the document holds no
 * secrets, only the shape of the API.
 */
export function registerApiReference(app: FastifyInstance, document: object): void {
  const body = JSON.stringify(document);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const assets = new Map<string, Promise<Buffer>>();

  app.get('/openapi.json', async (request, reply) => {
    reply.header('cache-control', 'public, max-age=300').header('etag', etag).header('access-control-allow-origin', '*');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get('/docs', async (_request, reply) =>
    reply
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=300')
      .type('text/html; charset=utf-8')
      .send(PAGE),
  );

  app.get<{ Params: { file: string } }>('/docs/assets/:file', async (request, reply) => {
    const file = request.params.file;
    reply.header('x-content-type-options', 'nosniff').header('cache-control', 'public, max-age=3600');
    if (file === 'init.js') return reply.type('text/javascript; charset=utf-8').send(INIT);
    const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
    if (!type) throw new HubError('NOT_FOUND', `Unknown route ${request.method} ${request.url.split('?')[0]}`);
    let content = assets.get(file);
    if (!content) {
      content = readFile(join(SWAGGER_UI_DIR, file));
      assets.set(file, content);
    }
    return reply.type(type).send(await content);
  });
}
