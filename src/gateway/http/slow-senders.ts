import type { Server } from 'node:http';

/** Node's sweep interval is a constructor option its types do not expose on the instance. */
type SweptServer = Server & { connectionsCheckingInterval: number };

/**
 * Makes `server.request_timeout_ms` a real bound on slow senders (slowloris), headers and body alike.
 *
 * Two Node behaviours defeat it otherwise. Timeouts are enforced by a sweep every
 * `connectionsCheckingInterval` (30 s by default), so a 1 s timeout could take 31 s. And Fastify sets
 * `requestTimeout` after the server is built, leaving `headersTimeout` at 60 s; when it exceeds
 * `requestTimeout` Node swaps the two, so a body trickled after quick headers had 60 s, not
 * `request_timeout_ms`. Call before `listen`: the sweep's interval is read when the server starts listening.
 */
export function applySlowSenderLimits(server: Server, requestTimeoutMs: number): void {
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = requestTimeoutMs;
  (server as SweptServer).connectionsCheckingInterval = Math.min(30_000, Math.max(100, Math.floor(requestTimeoutMs / 4)));
}
