import type { CallAttribution, Principal } from '../../economy/index.js';
import type { RequestTiming } from '../http/timing.js';

/** One client call travelling through the gateway, whatever its surface. */
export interface GatewayCall {
  /** Minted by the hub; keys the ledger row and the reservation. */
  requestId: string;
  /** The client's own id, when it sent one: correlation only. */
  clientRequestId?: string;
  /** Agent traffic: the agent, run and thread the call is made for (on its ledger row). */
  attribution?: CallAttribution;
  principal: Principal;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  timing: RequestTiming;
  surface: 'openai' | 'anthropic' | 'responses' | 'internal';
}
