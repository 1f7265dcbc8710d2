/**
 * Child process for the SIGKILL test: appends entries to a journal as fast as it can and prints
 * each request id once its append has resolved (durable in the given mode), until it is killed.
 */
import { picos } from '../../core/index.js';
import { Journal, type JournalDurability } from '../journal.js';

const dir = process.argv[2];
const durability = (process.argv[3] ?? 'machine') as JournalDurability;
if (!dir) throw new Error('usage: journal-writer <dir> [process|machine]');
const { journal } = await Journal.open(dir, { durability });
let sequence = 0;
for (;;) {
  const batch = Array.from({ length: 20 }, () => `req_kill_${sequence++}`);
  await Promise.all(
    batch.map(async (requestId) => {
      await journal.append({
        requestId,
        clientRequestId: null,
        tenantId: 't',
        projectId: null,
        keyId: 'k',
        surface: 'openai',
        modelRequested: 'm',
        modelServed: 'm',
        providerId: null,
        upstreamModel: null,
        inputTokens: 1,
        outputTokens: 1,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        usageSource: 'upstream',
        usageAnomaly: null,
        agent: null,
        runId: null,
        threadId: null,
        workflow: null,
        costPicos: picos(3n),
        priceKnown: true,
        latencyMs: 1,
        ttfbMs: null,
        status: 200,
        errorCode: null,
        stream: false,
        attempts: 1,
        createdAt: new Date(),
      });
      process.stdout.write(`${requestId}\n`);
    }),
  );
}
