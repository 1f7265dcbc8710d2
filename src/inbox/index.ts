/**
 * The human inbox: hand-off and approval tasks made from agent runs that need a person (and from escalation
 * rules), claimed under leases by one person at a time on any replica, with the take-over actions (reply,
 * tools, approve, hand back, resolve, transfer), live events, webhooks and the division-of-labour measures.
 */
export { asksForPerson, parseSentiment, SENTIMENT_INSTRUCTIONS, type SentimentClassifier } from './escalation.js';
export { createInbox, type Inbox, type InboxOptions } from './inbox.js';
export type { InboxObserver } from './inbox-notifier.js';
export { type DecisionCheck, InboxService, type Operator } from './inbox-service.js';
export { InboxStats, type InboxStatsDto, type InboxStatsQuery, type InboxStatsRow } from './inbox-stats.js';
export { inboxApiPaths, inboxStatsSchema } from './openapi-paths.js';
export { adminStatsQuery, statsQuery } from './routes/inbox-schemas.js';
export { type TaskDto, taskDto } from './task-dto.js';
export { InboxWebhooks, inboxWebhookApiPaths, resealWebhookSecrets, verifyWebhookSignature } from './webhooks/index.js';
