import type { SupplierEmbeddings } from './apps/supplier-match/index.js';
import type { Economy } from './economy/index.js';
import type { GatewayClient } from './gateway/index.js';
import { embeddingVector } from './wire/openai/index.js';

/**
 * The supplier-match searches' embeddings: the gateway's in-process client, as the key that started the run
 * (its budgets and rate limits hold), each call on the ledger with the run, agent or workflow, and thread.
 */
export function supplierMatchEmbeddings(deps: { economy: Pick<Economy, 'principalForKey'>; client: GatewayClient }): SupplierEmbeddings {
  return async (texts, call) => {
    const principal = await deps.economy.principalForKey(call.tenantId, call.keyId);
    const result = await deps.client.embeddings(
      { model: call.model, input: texts, encodingFormat: 'float' },
      {
        principal,
        attribution: {
          runId: call.runId,
          ...(call.agent ? { agent: call.agent } : {}),
          ...(call.workflow ? { workflow: call.workflow } : {}),
          threadId: call.threadId,
        },
      },
    );
    return [...result.data].sort((left, right) => left.index - right.index).map((entry) => embeddingVector(entry.embedding));
  };
}
