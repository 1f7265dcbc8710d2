/**
 * The gateway: the HTTP app with its OpenAI and Anthropic surfaces, the shared chat pipeline, and the
 * in-process client for agents.
 */
export {
  AGENT_MODEL_PREFIX,
  type AgentModelAnswer,
  type AgentModelMessage,
  type AgentModelRequest,
  type AgentModelRunStatus,
  type AgentModels,
} from './agent-models.js';
export { createGatewayApp, type GatewayApp, type GatewayAppOptions } from './app.js';
export { createGatewayClient, type GatewayClient, type GatewayClientCall } from './client.js';
export { AccessLog, type SettledRequest } from './http/access-log.js';
export type { Readiness } from './surfaces/health.js';
export type { SurfaceContext } from './surfaces/surface-context.js';
