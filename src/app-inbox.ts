import type { Logger } from 'pino';
import type { AgentRuntime } from './agents/index.js';
import { guardedDispatcherOf, urlProblemOf } from './app-agents.js';
import type { SecretBox } from './core/index.js';
import type { Economy } from './economy/index.js';
import type { GatewayClient } from './gateway/index.js';
import type { Identity } from './identity/index.js';
import { createInbox, type Inbox, InboxWebhooks, parseSentiment, SENTIMENT_INSTRUCTIONS, type SentimentClassifier } from './inbox/index.js';
import { type HubMetrics, InboxMetrics } from './observability/index.js';
import type { UpstreamAddressPolicy } from './providers/index.js';
import type { Database, InboxEventRecord, InboxTaskRecord } from './storage/index.js';
import { checkHumanDecision } from './workflows/index.js';

/**
 * The sentiment rule's classifier: a cheap model through the in-process gateway, billed to the
 * conversation's key with the agent and thread on its ledger row, like every token an agent spends.
 */
export function sentimentClassifier(economy: Economy, client: GatewayClient): SentimentClassifier {
  return async (request) => {
    const principal = await economy.principalForKey(request.tenantId, request.keyId);
    const result = await client.chat(
      {
        model: request.model,
        stream: false,
        maxTokens: 16,
        temperature: 0,
        messages: [
          { role: 'system', content: SENTIMENT_INSTRUCTIONS },
          { role: 'user', content: request.content.slice(0, 4_000) },
        ],
      },
      { principal, attribution: { agent: request.agent, runId: `sentiment:${request.threadId}`, threadId: request.threadId } },
    );
    const content = result.choices[0]?.message.content;
    return parseSentiment(typeof content === 'string' ? content : null);
  };
}

/** Composition of the human inbox from the hub's parts. */
export function composeInbox(parts: {
  db: Database;
  economy: Economy;
  identity: Identity;
  runtime: AgentRuntime;
  client: GatewayClient;
  policy: UpstreamAddressPolicy;
  secretBox: SecretBox | undefined;
  logger: Logger;
  /** The hub's metrics: the inbox's counters and histograms join its registry. */
  metrics?: HubMetrics;
  /** Told of every task change after it is stored (workflow event triggers); must not throw. */
  onTaskChanged?: (task: InboxTaskRecord, event: InboxEventRecord) => void;
}): Inbox {
  const onError = (error: unknown): void => parts.logger.error({ err: error }, 'inbox');
  const webhooks = new InboxWebhooks({
    db: parts.db,
    secretBox: parts.secretBox,
    dispatcher: guardedDispatcherOf(parts.policy),
    urlProblem: urlProblemOf(parts.policy),
    logger: parts.logger,
  });
  const metrics = parts.metrics ? new InboxMetrics(parts.metrics.registry) : undefined;
  return createInbox({
    db: parts.db,
    broadcast: parts.economy.broadcast,
    runtime: parts.runtime,
    identity: parts.identity,
    webhooks,
    classify: sentimentClassifier(parts.economy, parts.client),
    checkDecision: checkHumanDecision,
    observer: {
      taskChanged: (task, event) => {
        metrics?.observe(task, event);
        parts.onTaskChanged?.(task, event);
      },
    },
    onError,
  });
}
