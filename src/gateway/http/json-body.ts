import type { FastifyInstance } from 'fastify';
import { HubError } from '../../core/index.js';

const MAX_DEPTH = 64;

/** JSON bodies only; malformed JSON and absurd nesting are 400s in the route's own error shape. */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/*+json'], { parseAs: 'string' }, (request, text, done) => {
    const source = text as string;
    // Many clients send their default content-type on a DELETE that carries no body.
    if (source.length === 0 && request.method === 'DELETE') {
      done(null, undefined);
      return;
    }
    if (source.length === 0) {
      done(new HubError('INVALID_JSON', 'Request body is empty; expected a JSON object.'), undefined);
      return;
    }
    if (nestingDepth(source) > MAX_DEPTH) {
      done(new HubError('INVALID_JSON', `Request body is nested deeper than ${MAX_DEPTH} levels.`), undefined);
      return;
    }
    try {
      done(null, JSON.parse(source));
    } catch (error) {
      done(new HubError('INVALID_JSON', `Request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}

/** Maximum bracket depth outside strings, found in one pass without building anything. */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 92)
        i++; // backslash: skip the escaped character
      else if (code === 34) inString = false;
      continue;
    }
    if (code === 34) inString = true;
    else if (code === 123 || code === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (code === 125 || code === 93) depth--;
  }
  return max;
}
