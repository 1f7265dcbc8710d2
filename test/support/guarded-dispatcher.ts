import { Agent } from 'undici';
import { DEFAULT_UPSTREAM_ADDRESS_POLICY, guardedConnector, guardedLookup, type UpstreamAddressPolicy } from '../../src/providers/index.js';

/**
 * An undici dispatcher that applies the upstream address policy on every connect, as the composition root builds
 * one for agent tools (agents/ may not import providers/, so tests get it here).
 */
export function guardedDispatcher(policy: Partial<UpstreamAddressPolicy> = {}): Agent {
  return new Agent({ connect: guardedConnector(guardedLookup({ ...DEFAULT_UPSTREAM_ADDRESS_POLICY, ...policy })) });
}
