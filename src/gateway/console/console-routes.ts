import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HubError } from '../../core/index.js';

// Everything the console loads comes from this origin; scripts and styles are files (no inline code),
// and it may only talk to the hub itself.
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
} as const;

/**
 * Where `npm run build` puts the console: dist/console, found from src/ (tests, tsx) and from dist/ alike;
 * `TOKENHUB_CONSOLE_DIR` names another build (a development build of one's own).
 */
export function defaultConsoleDir(): string | null {
  const chosen = process.env.TOKENHUB_CONSOLE_DIR;
  if (chosen) return existsSync(join(chosen, 'index.html')) ? chosen : null;
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const candidate of [join(here, '../../console'), join(here, '../../../dist/console')]) {
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

interface IndexVariants {
  identity: Buffer;
  br: Buffer | null;
  gzip: Buffer | null;
}

async function readIndex(dir: string): Promise<IndexVariants> {
  const path = join(dir, 'index.html');
  const optional = (file: string) => readFile(file).catch(() => null);
  const [identity, br, gzip] = await Promise.all([readFile(path), optional(`${path}.br`), optional(`${path}.gz`)]);
  return { identity, br, gzip };
}

/**
 * The console at `/console`: hashed assets under `/console/assets/` served precompressed (brotli, gzip)
 * and cached for a year; every other path under `/console` is the app's index.html (the SPA's router
 * takes it from there), never cached, so a deploy is picked up on the next load. All of it under a strict
 * Content-Security-Policy. Without a build the pages answer 503 saying how to build it.
 */
export async function registerConsole(app: FastifyInstance, dir: string | null): Promise<void> {
  const index = dir ? await readIndex(dir) : null;
  const sendIndex = (accept: string | undefined, reply: FastifyReply) => {
    reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').header('vary', 'accept-encoding').type('text/html; charset=utf-8');
    if (!index) {
      throw new HubError('DEPENDENCY_UNAVAILABLE', 'The console is not built: run `npm run build:console` (npm ci builds it).', {
        code: 'console_not_built',
      });
    }
    const encodings = accept ?? '';
    if (index.br && /\bbr\b/.test(encodings)) return reply.header('content-encoding', 'br').send(index.br);
    if (index.gzip && /\bgzip\b/.test(encodings)) return reply.header('content-encoding', 'gzip').send(index.gzip);
    return reply.send(index.identity);
  };
  app.get('/console', async (request, reply) => sendIndex(request.headers['accept-encoding'], reply));
  app.get('/console/*', async (request, reply) => {
    if ((request.params as { '*': string })['*'].startsWith('assets/')) {
      throw new HubError('NOT_FOUND', `No console asset ${request.url.split('?')[0]}`, { code: 'asset_not_found' });
    }
    return sendIndex(request.headers['accept-encoding'], reply);
  });
  if (!dir) return;
  await app.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/console/assets/',
    preCompressed: true,
    wildcard: false,
    index: false,
    dotfiles: 'deny',
    immutable: true,
    maxAge: '365d',
    setHeaders: (reply) => {
      reply.headers(SECURITY_HEADERS);
    },
  });
}
