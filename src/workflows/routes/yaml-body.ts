import type { FastifyInstance } from 'fastify';

export const YAML_CONTENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/**
 * Accepts a workflow document as YAML (`kubectl apply`-style) in the plugin scope it is registered in: the
 * body reaches the handler as text, and the workflow loader parses it, so a syntax error is a 400 naming
 * the document like any other problem of it.
 */
export function registerYamlBody(app: FastifyInstance): void {
  app.addContentTypeParser(YAML_CONTENT_TYPES, { parseAs: 'string' }, (_request, text, done) => {
    done(null, text);
  });
}
