import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { HubError, parseInput } from '../../../core/index.js';
import { contentTypeOf } from '../checks.js';
import type { SiteBuilderApp } from '../site-builder-app.js';
import { SOLUTION_CSS, type SolutionDocument, solutionHtml, solutionPdf } from '../solution.js';

/** What a published site may do: show itself, its own styles and images. No script, frame, form post or base change. */
export const SITE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** The solution page's only style is its own inline one, allowed by its hash. */
const SOLUTION_CSP = SITE_CSP.replace(
  "style-src 'self'",
  `style-src 'sha256-${createHash('sha256').update(SOLUTION_CSS).digest('base64')}'`,
);

const id = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a TokenHub id');
const siteParams = z.object({ tenant: id, slug: z.string().regex(/^[a-z0-9-]{1,48}$/, 'is not a site slug') });
const fileParams = siteParams.extend({ '*': z.string().max(1000) });

const notFound = (what: string): HubError => new HubError('NOT_FOUND', `No ${what}.`, { code: 'site_not_found' });

const secure = (reply: FastifyReply, csp: string): FastifyReply =>
  reply
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('cache-control', 'no-cache');

/**
 * The published sites, public: `/sites/{tenant}/{slug}/` serves the current version's `index.html`, `…/{path}` its
 * other files, `…/_solution.html` and `…/_solution.pdf` the solution document it was built from. Every answer has
 * the strict CSP and `nosniff`; anything missing is a 404 in the hub's error shape.
 */
export function siteRoutes(deps: { siteBuilder: SiteBuilderApp }): FastifyPluginAsync {
  return async (app) => {
    const serve = async (tenant: string, slug: string, path: string, reply: FastifyReply) => {
      const site = await deps.siteBuilder.sites(tenant).current(slug);
      if (!site) throw notFound(`site \`${slug}\``);
      if (path === '_solution.html' || path === '_solution.pdf') {
        if (!site.solution) throw notFound(`solution document for \`${slug}\``);
        const solution = site.solution as unknown as SolutionDocument & { business?: string; language?: string };
        const business = solution.business ?? slug;
        if (path === '_solution.html')
          return secure(reply, SOLUTION_CSP)
            .type('text/html; charset=utf-8')
            .send(solutionHtml(solution, business, solution.language));
        const pdf = await solutionPdf(solution, business);
        return secure(reply, SITE_CSP).type('application/pdf').header('x-tokenhub-pdf-font', pdf.font).send(pdf.bytes);
      }
      const file = path === '' || path.endsWith('/') ? `${path}index.html` : path;
      // Own keys only: a path like `constructor` names nothing a site holds.
      const content = Object.hasOwn(site.files, file) ? site.files[file] : undefined;
      if (content === undefined) throw notFound(`file \`${file}\` in site \`${slug}\``);
      return secure(reply, SITE_CSP).header('x-tokenhub-site-version', String(site.version)).type(contentTypeOf(file)).send(content);
    };
    // The hub ignores trailing slashes in routing, but a site's relative links need its home to end in one.
    app.get('/sites/:tenant/:slug', async (request, reply) => {
      const params = parseInput(siteParams, request.params);
      const home = `/sites/${params.tenant}/${params.slug}/`;
      if (!request.url.split('?')[0]?.endsWith('/')) return secure(reply, SITE_CSP).redirect(home, 301);
      return serve(params.tenant, params.slug, '', reply);
    });
    app.get('/sites/:tenant/:slug/*', async (request, reply) => {
      const params = parseInput(fileParams, request.params);
      return serve(params.tenant, params.slug, params['*'], reply);
    });
  };
}
