import type { Dispatcher } from 'undici';
import type { Clock, SecretBox } from '../../core/index.js';
import { type ClaimedWebhookDelivery, type Database, type WebhookAttemptResult, WebhookDeliveryQueue } from '../../storage/index.js';
import { postWebhook } from './send-delivery.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhookPayload } from './signature.js';
import { webhookSecretContext } from './webhook-secret.js';

/** Waits after the 1st, 2nd, … failed attempt; past the end the last one repeats. Each is jittered by ±20 %. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [10_000, 30_000, 120_000, 600_000, 3_600_000, 10_800_000, 21_600_000];
export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;
const JITTER = 0.2;
/** How much of a failed answer the delivery log keeps. */
const MAX_ERROR_CHARS = 2_000;

export interface WebhookWorkerLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface WebhookDeliveryWorkerOptions {
  db: Database;
  secretBox: SecretBox | undefined;
  dispatcher: Dispatcher;
  clock: Clock;
  logger: WebhookWorkerLogger;
  pollMs: number;
  maxAttempts: number;
  backoffMs: readonly number[];
  timeoutMs: number;
  concurrency: number;
  maxResponseBytes: number;
  /** A number in [0, 1) (tests pin it). */
  random: () => number;
}

/** The delay before the attempt after failed attempt number `attempt` (1-based), jittered so receivers coming back are not stampeded. */
export function backoffDelay(backoffMs: readonly number[], attempt: number, random: () => number): number {
  const base = backoffMs[Math.min(Math.max(attempt, 1), backoffMs.length) - 1] ?? 0;
  return Math.max(0, Math.round(base * (1 + JITTER * (2 * random() - 1))));
}

/**
 * Sends pending deliveries, one such worker per replica over the same table. Each poll (and each kick) claims due
 * rows with `FOR UPDATE SKIP LOCKED`, leasing each for the send timeout plus a margin, POSTs them in parallel up to
 * `concurrency`, and records the result under the attempt number it claimed.
 */
export class WebhookDeliveryWorker {
  private readonly options: WebhookDeliveryWorkerOptions;
  private readonly queue: WebhookDeliveryQueue;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private stopped = true;

  constructor(options: WebhookDeliveryWorkerOptions) {
    this.options = options;
    this.queue = new WebhookDeliveryQueue(options.db);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops claiming and waits for the sends in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Looks for due deliveries now rather than at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = this.tick()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'claiming webhook deliveries failed; will retry'))
      .finally(() => {
        this.ticking = null;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.kick();
        }
      });
  }

  private async tick(): Promise<void> {
    const room = this.options.concurrency - this.inFlight.size;
    if (room <= 0) return;
    const now = this.options.clock.now();
    // The lease outlasts the send's own timeout, so a live worker's claim never runs out under it.
    const leaseUntil = new Date(now + this.options.timeoutMs + 30_000);
    const claimed = await this.queue.claim(room, new Date(now), leaseUntil);
    for (const delivery of claimed) {
      const sending: Promise<void> = this.attempt(delivery)
        .catch((error: unknown) =>
          this.options.logger.error({ err: error, deliveryId: delivery.id }, 'recording a webhook delivery failed'),
        )
        .finally(() => {
          this.inFlight.delete(sending);
          this.kick();
        });
      this.inFlight.add(sending);
    }
    // A full batch means more may be due: claim again once this tick ends.
    if (claimed.length === room) this.tickAgain = true;
  }

  private async attempt(delivery: ClaimedWebhookDelivery): Promise<void> {
    const result = await this.send(delivery);
    const recorded = await this.queue.record(delivery.id, delivery.attempts, result, new Date(this.options.clock.now()));
    if (!recorded)
      this.options.logger.warn(
        { deliveryId: delivery.id },
        'webhook delivery result dropped: the claim was taken over or the webhook deleted',
      );
  }

  private async send(delivery: ClaimedWebhookDelivery): Promise<WebhookAttemptResult> {
    let secret: string;
    try {
      if (!this.options.secretBox) throw new Error('TOKENHUB_SECRET_KEY is not set');
      secret = this.options.secretBox.open(delivery.sealedSecret, webhookSecretContext(delivery.tenantId, delivery.webhookId));
    } catch (error) {
      return this.failure(delivery, null, `the hub cannot sign the delivery: ${(error as Error).message}`);
    }
    const body = eventBody(delivery.payload);
    const timestamp = Math.floor(this.options.clock.now() / 1000);
    const outcome = await postWebhook({
      url: delivery.url,
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'TokenHub-Webhooks/1',
        [SIGNATURE_HEADER]: signWebhookPayload(secret, body, timestamp),
        [EVENT_HEADER]: delivery.eventType,
        [DELIVERY_HEADER]: delivery.id,
      },
      dispatcher: this.options.dispatcher,
      timeoutMs: this.options.timeoutMs,
      maxResponseBytes: this.options.maxResponseBytes,
    });
    if (outcome.statusCode === null) return this.failure(delivery, null, outcome.error);
    if (outcome.statusCode >= 200 && outcome.statusCode < 300) return { status: 'delivered', statusCode: outcome.statusCode };
    const excerpt = outcome.excerpt.length > MAX_ERROR_CHARS ? `${outcome.excerpt.slice(0, MAX_ERROR_CHARS)}…` : outcome.excerpt;
    return this.failure(
      delivery,
      outcome.statusCode,
      excerpt === '' ? `HTTP ${outcome.statusCode}` : `HTTP ${outcome.statusCode}: ${excerpt}`,
    );
  }

  private failure(delivery: ClaimedWebhookDelivery, statusCode: number | null, error: string): WebhookAttemptResult {
    if (delivery.attempts >= this.options.maxAttempts) return { status: 'failed', statusCode, error };
    const delay = backoffDelay(this.options.backoffMs, delivery.attempts, this.options.random);
    return { status: 'pending', statusCode, error, nextAttemptAt: new Date(this.options.clock.now() + delay) };
  }
}

/** The body as sent, keys in the documented order (jsonb does not keep them). */
export function eventBody(payload: unknown): string {
  const event = (payload ?? {}) as Record<string, unknown>;
  return JSON.stringify({
    id: event.id,
    type: event.type,
    created_at: event.created_at,
    tenant_id: event.tenant_id,
    data: event.data ?? {},
  });
}
