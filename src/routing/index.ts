/** Routing: the model catalog, weighted target choice, retries with backoff, fallbacks and breakers, and the live set of upstreams. */

export type { UpstreamAddressPolicy } from '../providers/index.js';
export { type BreakerSnapshot, type BreakerState, CircuitBreaker } from './breaker.js';
export { type CatalogModel, type CatalogTarget, ModelCatalog } from './catalog.js';
export {
  type AttemptOutcome,
  type AttemptRunner,
  type RouteAttempt,
  type Routed,
  type RouteOptions,
  Router,
  type TargetBreaker,
} from './router.js';
export { UpstreamRegistry, unavailableProvider } from './upstream-registry.js';
