import { picosToUsd, usdToPicos } from '../core/index.js';
import type { EvalHubClient } from './hub-client.js';

/** The fields of a ledger row (`GET /admin/v1/ledger`) an eval reads. */
export interface EvalLedgerRow {
  request_id: string;
  client_request_id: string | null;
  key_id: string | null;
  thread_id: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: string;
}

/** Every ledger row of a key since `from`, oldest page first. */
export async function ledgerRowsOf(
  client: EvalHubClient,
  query: { tenantId: string; keyId: string; from: string },
): Promise<EvalLedgerRow[]> {
  const rows: EvalLedgerRow[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ tenant_id: query.tenantId, key_id: query.keyId, from: query.from, limit: '1000' });
    if (cursor) params.set('cursor', cursor);
    const page: { data: EvalLedgerRow[]; next_cursor: string | null } = await client.admin('GET', `/admin/v1/ledger?${params.toString()}`);
    rows.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

/**
 * The ledger rows of the eval's keys, once the journal has written them (it flushes in batches, every
 * ~200 ms): read until the simulator's rows number its calls and the agent's stop growing, or `timeoutMs`.
 */
export async function settledLedger(
  client: EvalHubClient,
  query: { tenantId: string; from: string; agentKeyId: string; simulatorKeyId: string; simulatorCalls: number; agentCalls: number },
  timeoutMs = 15_000,
): Promise<{ agent: EvalLedgerRow[]; simulator: EvalLedgerRow[] }> {
  const deadline = Date.now() + timeoutMs;
  let previous = -1;
  for (;;) {
    const [agent, simulator] = await Promise.all([
      ledgerRowsOf(client, { tenantId: query.tenantId, keyId: query.agentKeyId, from: query.from }),
      ledgerRowsOf(client, { tenantId: query.tenantId, keyId: query.simulatorKeyId, from: query.from }),
    ]);
    const complete = simulator.length >= query.simulatorCalls && agent.length >= query.agentCalls;
    if ((complete && agent.length === previous) || Date.now() > deadline) return { agent, simulator };
    previous = complete ? agent.length : -1;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Exact sums of ledger rows (integer picodollars inside, a decimal string out). */
export function sumRows(rows: readonly EvalLedgerRow[]): { usd: string; input: number; output: number } {
  let picos = 0n;
  let input = 0;
  let output = 0;
  for (const row of rows) {
    picos += usdToPicos(row.cost_usd);
    input += row.prompt_tokens;
    output += row.completion_tokens;
  }
  return { usd: picosToUsd(picos), input, output };
}

export const addUsd = (...amounts: string[]): string => picosToUsd(amounts.reduce((sum, amount) => sum + usdToPicos(amount), 0n));

/** `usd / count` as a decimal string (rounded down to the picodollar); null when count is 0. */
export function divideUsd(usd: string, count: number): string | null {
  if (count <= 0) return null;
  return picosToUsd(usdToPicos(usd) / BigInt(count));
}
