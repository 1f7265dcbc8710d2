import type { LedgerPage, LedgerRow } from '@contract';
import { api } from '../../api/client';

const TRIES = 40;
const PAUSE_MS = 250;

/**
 * The ledger row of a reply (`GET /v1/ledger?request_id=`, with the session): its exact cost as the hub
 * billed it. The row is written a moment after the reply ends (the usage journal is flushed in batches), so
 * an empty answer is asked again for a while; null when it never came.
 */
export async function replyCost(requestId: string, signal: AbortSignal): Promise<LedgerRow | null> {
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const page = await api<LedgerPage>('/v1/ledger', { query: { request_id: requestId, limit: 1 }, signal });
    const row = page.data[0];
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    if (signal.aborted) return null;
  }
  return null;
}
