import type { FastifyPluginAsync } from 'fastify';
import type { AgentRuntime } from '../agents/index.js';
import { type Clock, systemClock } from '../core/index.js';
import type { Identity } from '../identity/index.js';
import type { RunBroadcast } from '../runs/index.js';
import type { Database } from '../storage/index.js';
import type { SentimentClassifier } from './escalation.js';
import { InboxNotifier, type InboxObserver } from './inbox-notifier.js';
import { type DecisionCheck, InboxService } from './inbox-service.js';
import { InboxStats } from './inbox-stats.js';
import { InboxSweeper } from './inbox-sweeper.js';
import { InboxThreadGate } from './inbox-thread-gate.js';
import { inboxRoutes } from './routes/inbox-routes.js';
import { inboxStatsRoute } from './routes/inbox-stats-route.js';
import { type InboxWebhooks, inboxWebhookRoutes } from './webhooks/index.js';

export interface InboxOptions {
  db: Database;
  broadcast: RunBroadcast;
  runtime: AgentRuntime;
  identity: Identity;
  webhooks?: InboxWebhooks;
  classify?: SentimentClassifier;
  /** Refuses a decision before it is stored (a workflow form step's answer that does not fit its form). */
  checkDecision?: DecisionCheck;
  observer?: InboxObserver;
  clock?: Clock;
  /** How often each replica sweeps expired claims, SLA breaches and runs lacking their task (default 5 s). */
  sweepIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface Inbox {
  service: InboxService;
  sweeper: InboxSweeper;
  /** The division-of-labour measures (`GET /v1/inbox/stats`, and the admin API's). */
  stats: InboxStats;
  webhooks: InboxWebhooks | undefined;
  routes: FastifyPluginAsync;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The human inbox on the agent runtime: tasks from runs that need people, the thread gate, sweeps, routes. */
export function createInbox(options: InboxOptions): Inbox {
  const clock = options.clock ?? systemClock;
  const onError = options.onError ?? (() => {});
  const notifier = new InboxNotifier({
    broadcast: options.broadcast,
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
    onError,
  });
  const service = new InboxService({
    db: options.db,
    runtime: options.runtime,
    notifier,
    clock,
    ...(options.checkDecision ? { checkDecision: options.checkDecision } : {}),
  });
  options.runtime.threads.setGate(
    new InboxThreadGate({
      db: options.db,
      runtime: options.runtime,
      notifier,
      clock,
      ...(options.classify ? { classify: options.classify } : {}),
    }),
  );
  options.runtime.onRunSettled((run) => {
    void service.openTasksFor(run.tenantId, run.id).catch(onError);
  });
  // A person deciding in the inbox closes the task themselves (`user:` actors); other decisions close it here.
  options.runtime.runs.onDecided((decided) => {
    if (decided.by?.startsWith('user:')) return;
    void service.decidedElsewhere(decided).catch(onError);
  });
  const sweeper = new InboxSweeper({
    db: options.db,
    inbox: service,
    notifier,
    clock,
    onError,
    ...(options.sweepIntervalMs !== undefined ? { intervalMs: options.sweepIntervalMs } : {}),
  });
  const stats = new InboxStats({ db: options.db, clock });
  const { identity } = options;
  return {
    service,
    sweeper,
    stats,
    webhooks: options.webhooks,
    routes: async (app) => {
      await app.register(
        inboxRoutes({
          inbox: service,
          identity,
          db: options.db,
          broadcast: options.broadcast,
          runOf: async (tenantId, runId) => options.runtime.runs.view(await options.runtime.runs.get(tenantId, runId), { steps: true }),
        }),
      );
      await app.register(inboxStatsRoute({ stats, identity }));
      if (options.webhooks) {
        const webhooks = options.webhooks;
        await app.register(
          inboxWebhookRoutes({
            webhooks,
            authorize: async (request, permission) => {
              const caller = await identity.tenantCaller(request, permission);
              return { tenantId: caller.tenantId, userId: caller.user?.id ?? null };
            },
          }),
        );
      }
    },
    start: async () => {
      sweeper.start();
      await options.webhooks?.start();
    },
    stop: async () => {
      await sweeper.stop();
      await options.webhooks?.stop();
    },
  };
}
