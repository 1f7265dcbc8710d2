import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../core/index.js';
import { CODE_LANGUAGES, SANDBOX_TEMPLATES } from '../limits.js';
import { MAX_PATH_LENGTH, sandboxPath } from '../paths.js';
import { codeResultDto, fileDto, sandboxDto, workspaceDto } from '../sandbox-dto.js';
import type { SandboxService } from '../sandbox-service.js';

/** Who calls a sandbox route: the tenant and the key its sandboxes' use is billed to. */
export type AuthenticateSandboxCaller = (request: FastifyRequest) => Promise<{ tenantId: string; keyId: string }>;

/** The most code one call may send. */
export const MAX_CODE_BYTES = 1024 * 1024;

const limitsBody = z
  .strictObject({
    cpu_ms: z.number().int().positive(),
    memory_mb: z.number().int().positive(),
    output_bytes: z.number().int().positive(),
    storage_bytes: z.number().int().positive(),
    max_files: z.number().int().positive(),
  })
  .partial();

export const createSandboxBody = z.strictObject({
  template: z.enum(SANDBOX_TEMPLATES).optional(),
  timeout_s: z.number().int().positive().optional(),
  limits: limitsBody.optional(),
  network: z.boolean().optional(),
  workspace: z.string().min(1).max(64).optional(),
  provider: z.enum(['local', 'e2b']).optional(),
});

export const runCodeBody = z.strictObject({
  language: z.enum(CODE_LANGUAGES),
  code: z.string().max(MAX_CODE_BYTES, `may be at most ${MAX_CODE_BYTES} characters`),
});

const idParams = z.object({ id: z.string().min(1).max(64) });
const fileParams = z.object({ id: z.string().min(1).max(64), '*': z.string().max(MAX_PATH_LENGTH * 3) });
export const sandboxListQuery = z.strictObject({
  status: z.enum(['live', 'deleted']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.iso.datetime({ offset: true }).optional(),
});
export const sandboxFilesQuery = z.strictObject({ prefix: z.string().max(MAX_PATH_LENGTH).optional() });
export const keepWorkspaceBody = z.strictObject({ name: z.string().min(1).max(64) });
const workspaceParams = z.object({ name: z.string().min(1).max(64) });

/** The path after `/files/`, as Fastify decoded it (once: `%25` is a `%` in the name, `%2e%2e` a refused `..`). */
const filePath = (decoded: string): string => sandboxPath(decoded);

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  py: 'text/x-python; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  pdf: 'application/pdf',
};
const contentTypeOf = (path: string): string =>
  CONTENT_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';

/** `/v1/sandboxes` and `/v1/sandbox-workspaces`: a tenant's sandboxes, their code, files and kept workspaces. */
export function sandboxRoutes(deps: {
  sandboxes: SandboxService;
  authenticate: AuthenticateSandboxCaller;
  maxFileBytes: number;
}): FastifyPluginAsync {
  const { sandboxes, authenticate } = deps;
  return async (app) => {
    app.post('/v1/sandboxes', async (request, reply) => {
      const caller = await authenticate(request);
      const body = parseInput(createSandboxBody, request.body);
      const created = await sandboxes.create(caller, {
        ...(body.template ? { template: body.template } : {}),
        ...(body.timeout_s !== undefined ? { timeoutS: body.timeout_s } : {}),
        ...(body.limits ? { limits: body.limits } : {}),
        ...(body.network !== undefined ? { network: body.network } : {}),
        ...(body.workspace !== undefined ? { workspace: body.workspace } : {}),
        ...(body.provider ? { provider: body.provider } : {}),
      });
      reply.code(201);
      return sandboxDto(created);
    });

    app.get('/v1/sandboxes', async (request) => {
      const caller = await authenticate(request);
      const query = parseInput(sandboxListQuery, request.query);
      const page = await sandboxes.list(caller.tenantId, {
        ...(query.status ? { status: query.status } : {}),
        ...(query.before ? { before: new Date(query.before) } : {}),
        limit: query.limit + 1,
      });
      const data = page.slice(0, query.limit);
      const last = data.at(-1);
      return {
        object: 'list',
        data: data.map(sandboxDto),
        next_before: page.length > query.limit && last ? last.createdAt.toISOString() : null,
      };
    });

    app.get('/v1/sandboxes/:id', async (request) => {
      const caller = await authenticate(request);
      const { id } = parseInput(idParams, request.params);
      return sandboxDto(await sandboxes.get(caller.tenantId, id));
    });

    app.delete('/v1/sandboxes/:id', async (request) => {
      const caller = await authenticate(request);
      const { id } = parseInput(idParams, request.params);
      return sandboxDto(await sandboxes.delete(caller.tenantId, id));
    });

    app.post('/v1/sandboxes/:id/code', async (request) => {
      const caller = await authenticate(request);
      const { id } = parseInput(idParams, request.params);
      const body = parseInput(runCodeBody, request.body);
      return codeResultDto(await sandboxes.runCode(caller, id, body));
    });

    app.get('/v1/sandboxes/:id/files', async (request) => {
      const caller = await authenticate(request);
      const { id } = parseInput(idParams, request.params);
      const { prefix } = parseInput(sandboxFilesQuery, request.query);
      return { object: 'list', data: (await sandboxes.listFiles(caller.tenantId, id, prefix)).map(fileDto) };
    });

    app.get('/v1/sandboxes/:id/files/*', async (request, reply) => {
      const caller = await authenticate(request);
      const params = parseInput(fileParams, request.params);
      const file = await sandboxes.readFile(caller.tenantId, params.id, filePath(params['*']));
      reply.header('content-type', contentTypeOf(file.path));
      reply.header('etag', `"${file.version}"`);
      reply.header('x-content-type-options', 'nosniff');
      // A file an agent wrote is never a page of this hub's origin.
      reply.header('content-security-policy', "default-src 'none'; sandbox");
      return reply.send(Buffer.from(file.content.buffer, file.content.byteOffset, file.content.byteLength));
    });

    app.delete('/v1/sandboxes/:id/files/*', async (request, reply) => {
      const caller = await authenticate(request);
      const params = parseInput(fileParams, request.params);
      await sandboxes.deleteFile(caller.tenantId, params.id, filePath(params['*']));
      return reply.code(204).send();
    });

    // File contents are taken as sent, whatever their type, so this route reads its body raw (its own parser, in its own scope).
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxFileBytes }, (_request, body, done) => done(null, body));
      scope.put('/v1/sandboxes/:id/files/*', async (request, reply) => {
        const caller = await authenticate(request);
        const params = parseInput(fileParams, request.params);
        const content = Buffer.isBuffer(request.body) ? new Uint8Array(request.body) : new Uint8Array(0);
        const file = await sandboxes.writeFile(caller.tenantId, params.id, filePath(params['*']), content);
        reply.code(201);
        return fileDto(file);
      });
    });

    app.post('/v1/sandboxes/:id/keep', async (request, reply) => {
      const caller = await authenticate(request);
      const { id } = parseInput(idParams, request.params);
      const { name } = parseInput(keepWorkspaceBody, request.body);
      reply.code(201);
      return workspaceDto(await sandboxes.keep(caller.tenantId, id, name));
    });

    app.get('/v1/sandbox-workspaces', async (request) => {
      const caller = await authenticate(request);
      return { object: 'list', data: (await sandboxes.workspaces(caller.tenantId)).map(workspaceDto) };
    });

    app.delete('/v1/sandbox-workspaces/:name', async (request, reply) => {
      const caller = await authenticate(request);
      const { name } = parseInput(workspaceParams, request.params);
      await sandboxes.deleteWorkspace(caller.tenantId, name);
      return reply.code(204).send();
    });
  };
}
