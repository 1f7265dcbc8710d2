/**
 * The floor for any Node gateway: Fastify 5 + an undici 7 pool passing requests through to one
 * upstream, body as bytes, response streamed back. No auth, no parsing, no metering.
 *
 *   node --import tsx bench/bare-proxy.ts --port 9100 --upstream http://127.0.0.1:9001
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' } } });
if (!values.upstream) throw new Error('--upstream is required');

const pool = new Pool(values.upstream, { pipelining: 1, keepAliveTimeout: 60_000 });
const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

app.post('/v1/*', async (request, reply) => {
  const upstream = await pool.request({
    method: 'POST',
    path: request.url,
    headers: {
      'content-type': 'application/json',
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
    },
    body: request.body as Buffer,
  });
  reply.code(upstream.statusCode);
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
  }
  return reply.send(upstream.body);
});

app.get('/healthz', async () => ({ status: 'ok' }));

await app.listen({ port: Number(values.port ?? 0), host: '127.0.0.1' });
process.stdout.write(`bare proxy listening on ${values.port}\n`);
const stop = (): void => {
  app.close().then(
    () => pool.close().finally(() => process.exit(0)),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
