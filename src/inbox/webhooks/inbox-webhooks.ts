import type { Dispatcher } from 'undici';
import { type Clock, HubError, type JsonObject, newId, type SecretBox, systemClock } from '../../core/index.js';
import {
  type Database,
  type InboxWebhookPatch,
  type InboxWebhookRecord,
  InboxWebhooksRepository,
  type WebhookDeliveryRecord,
  type WebhookEventRow,
} from '../../storage/index.js';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  WebhookDeliveryWorker,
  type WebhookWorkerLogger,
} from './delivery-worker.js';
import { WEBHOOK_TEST_EVENT, type WebhookEventType } from './event-types.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from './send-delivery.js';
import { newWebhookSecret } from './signature.js';
import { type CreateWebhookInput, createWebhookBody, parseInput, type UpdateWebhookInput, updateWebhookBody } from './webhook-schemas.js';
import { webhookSecretContext } from './webhook-secret.js';

/** Bounds the fan-out of one event (each webhook is one row and one POST per event). */
export const MAX_WEBHOOKS_PER_TENANT = 20;

export interface InboxWebhooksOptions {
  db: Database;
  /** Seals the signing secrets; without it webhooks cannot be created (nor, later, signed). */
  secretBox: SecretBox | undefined;
  /** Every delivery goes through it: build it with the upstream address policy's guarded connector. */
  dispatcher: Dispatcher;
  /** The upstream address policy on a URL (private, metadata addresses…): a reason to refuse it, or undefined. */
  urlProblem(url: string): Promise<string | undefined>;
  clock?: Clock;
  logger?: WebhookWorkerLogger;
  /** How often the worker looks for due deliveries besides kicks (default 1 s). */
  pollMs?: number;
  /** Attempts before a delivery is `failed` (default 8). */
  maxAttempts?: number;
  /** Waits after the 1st, 2nd, … failed attempt, each jittered ±20 % (default 10 s, 30 s, 2 min, 10 min, 1 h, 3 h, 6 h). */
  backoffMs?: readonly number[];
  /** Per attempt, connection to last byte read (default 10 s). */
  timeoutMs?: number;
  /** Deliveries this replica sends at once (default 8). */
  concurrency?: number;
  /** Of a receiver's answer, read and kept (default 4 KiB). */
  maxResponseBytes?: number;
  /** Jitter's source, in [0, 1) (default Math.random). */
  random?: () => number;
}

/** A webhook as the API shows it: no secret. */
export interface InboxWebhook {
  id: string;
  tenantId: string;
  url: string;
  events: string[];
  description: string | null;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type WebhookDelivery = WebhookDeliveryRecord;

/** The body every delivery carries. */
export interface WebhookEvent {
  id: string;
  type: string;
  created_at: string;
  tenant_id: string;
  data: JsonObject;
}

const view = (record: InboxWebhookRecord): InboxWebhook => ({
  id: record.id,
  tenantId: record.tenantId,
  url: record.url,
  events: record.events,
  description: record.description,
  disabled: record.disabled,
  createdAt: record.createdAt,
  updatedAt: record.updatedAt,
});

const notFound = (id: string): HubError => new HubError('NOT_FOUND', `No webhook \`${id}\`.`, { code: 'webhook_not_found' });

/**
 * A tenant's webhooks for inbox events and their durable delivery: `emit` records one delivery row per subscribed
 * webhook, and the worker (`start`, one per replica) sends them, signed, retrying with backoff. Safe with many
 * replicas on one database: a delivery is claimed by one worker at a time.
 */
export class InboxWebhooks {
  private readonly db: Database;
  private readonly secretBox: SecretBox | undefined;
  private readonly urlProblem: (url: string) => Promise<string | undefined>;
  private readonly clock: Clock;
  private readonly worker: WebhookDeliveryWorker;

  constructor(options: InboxWebhooksOptions) {
    this.db = options.db;
    this.secretBox = options.secretBox;
    this.urlProblem = options.urlProblem;
    this.clock = options.clock ?? systemClock;
    this.worker = new WebhookDeliveryWorker({
      db: options.db,
      secretBox: options.secretBox,
      dispatcher: options.dispatcher,
      clock: this.clock,
      logger: options.logger ?? { warn: () => {}, error: () => {} },
      pollMs: options.pollMs ?? 1_000,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      backoffMs: options.backoffMs && options.backoffMs.length > 0 ? options.backoffMs : DEFAULT_BACKOFF_MS,
      timeoutMs: options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
      concurrency: options.concurrency ?? 8,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      random: options.random ?? Math.random,
    });
  }

  /** Creates a webhook; the answer carries its signing secret, which is never shown again. */
  async create(tenantId: string, input: CreateWebhookInput): Promise<{ webhook: InboxWebhook; secret: string }> {
    const box = this.requireSecretBox();
    const body = parseInput(createWebhookBody, input);
    await this.checkUrl(body.url);
    const repository = this.repository(tenantId);
    if ((await repository.count()) >= MAX_WEBHOOKS_PER_TENANT) {
      throw new HubError('CONFLICT', `A tenant may have at most ${MAX_WEBHOOKS_PER_TENANT} webhooks: delete one first.`, {
        code: 'webhook_limit_reached',
      });
    }
    const id = newId('whk');
    const secret = newWebhookSecret();
    const record = await repository.create(
      {
        id,
        url: body.url,
        events: [...new Set(body.events)],
        sealedSecret: box.seal(secret, webhookSecretContext(tenantId, id)),
        description: body.description ?? null,
      },
      this.now(),
    );
    return { webhook: view(record), secret };
  }

  async list(tenantId: string): Promise<InboxWebhook[]> {
    return (await this.repository(tenantId).list()).map(view);
  }

  /** Throws NOT_FOUND for an id that is not the tenant's. */
  async get(tenantId: string, id: string): Promise<InboxWebhook> {
    const record = await this.repository(tenantId).get(id);
    if (!record) throw notFound(id);
    return view(record);
  }

  async update(tenantId: string, id: string, input: UpdateWebhookInput): Promise<InboxWebhook> {
    const body = parseInput(updateWebhookBody, input);
    if (body.url !== undefined) await this.checkUrl(body.url);
    const patch: InboxWebhookPatch = {};
    if (body.url !== undefined) patch.url = body.url;
    if (body.events !== undefined) patch.events = [...new Set(body.events)];
    if (body.description !== undefined) patch.description = body.description;
    if (body.disabled !== undefined) patch.disabled = body.disabled;
    const record = await this.repository(tenantId).update(id, patch, this.now());
    if (!record) throw notFound(id);
    if (body.disabled === false) this.kick();
    return view(record);
  }

  /** Deletes the webhook and its delivery log. */
  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.repository(tenantId).delete(id))) throw notFound(id);
  }

  /** The webhook's deliveries, newest first. */
  async deliveries(
    tenantId: string,
    id: string,
    page: { limit: number; after?: string },
  ): Promise<{ data: WebhookDelivery[]; hasMore: boolean }> {
    const repository = this.repository(tenantId);
    if (!(await repository.get(id))) throw notFound(id);
    const rows = await repository.deliveries(id, { limit: page.limit + 1, ...(page.after ? { after: page.after } : {}) });
    return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
  }

  /** Sends an earlier delivery's event again, as a new delivery (the event keeps its id, so receivers can deduplicate). */
  async redeliver(tenantId: string, id: string, deliveryId: string): Promise<WebhookDelivery> {
    const repository = this.repository(tenantId);
    const webhook = await this.enabledWebhook(repository, id);
    const original = await repository.delivery(webhook.id, deliveryId);
    if (!original) throw new HubError('NOT_FOUND', `No delivery \`${deliveryId}\` of webhook \`${id}\`.`, { code: 'delivery_not_found' });
    if (original.status === 'pending') {
      throw new HubError('CONFLICT', `Delivery \`${deliveryId}\` is still pending: it will be retried on its own.`, {
        code: 'delivery_pending',
      });
    }
    return this.enqueueFor(repository, webhook.id, {
      eventId: original.eventId,
      eventType: original.eventType,
      payload: original.payload as object,
      createdAt: this.now(),
    });
  }

  /** Sends a `webhook.test` event to this webhook only. */
  async sendTest(tenantId: string, id: string): Promise<WebhookDelivery> {
    const repository = this.repository(tenantId);
    const webhook = await this.enabledWebhook(repository, id);
    const event = this.event(tenantId, WEBHOOK_TEST_EVENT, { webhook_id: webhook.id, message: 'A test event from TokenHub.' });
    return this.enqueueFor(repository, webhook.id, event);
  }

  /**
   * Records the event for every enabled webhook of the tenant subscribed to `type` (one statement; next to
   * nothing when it has none) and kicks this replica's worker. Returns how many deliveries were queued.
   */
  async emit(tenantId: string, type: WebhookEventType, data: JsonObject): Promise<number> {
    const queued = await this.repository(tenantId).enqueueEvent(this.event(tenantId, type, data));
    if (queued > 0) this.kick();
    return queued;
  }

  /** Starts this replica's delivery worker. */
  start(): void {
    this.worker.start();
  }

  /** Stops the worker, waiting for the sends in flight to be recorded. */
  async stop(): Promise<void> {
    await this.worker.stop();
  }

  /** Looks for due deliveries now (after an emit elsewhere, say) rather than at the next poll. */
  kick(): void {
    this.worker.kick();
  }

  private event(tenantId: string, type: string, data: JsonObject): WebhookEventRow {
    const createdAt = this.now();
    const payload: WebhookEvent = { id: newId('evt'), type, created_at: createdAt.toISOString(), tenant_id: tenantId, data };
    return { eventId: payload.id, eventType: type, payload, createdAt };
  }

  private async enqueueFor(repository: InboxWebhooksRepository, webhookId: string, event: WebhookEventRow): Promise<WebhookDelivery> {
    const delivery = await repository.enqueueFor(webhookId, event);
    if (!delivery) throw notFound(webhookId);
    this.kick();
    return delivery;
  }

  private async enabledWebhook(repository: InboxWebhooksRepository, id: string): Promise<InboxWebhookRecord> {
    const webhook = await repository.get(id);
    if (!webhook) throw notFound(id);
    if (webhook.disabled) {
      throw new HubError('CONFLICT', `Webhook \`${id}\` is disabled: enable it first.`, { code: 'webhook_disabled' });
    }
    return webhook;
  }

  private async checkUrl(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new HubError('INVALID_REQUEST', 'Invalid url: must be an absolute http or https URL.', { param: 'url' });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new HubError('INVALID_REQUEST', `Invalid url: the scheme must be http or https, not ${parsed.protocol.slice(0, -1)}.`, {
        param: 'url',
      });
    }
    const problem = await this.urlProblem(url);
    if (problem !== undefined) {
      throw new HubError('INVALID_REQUEST', `Invalid url: ${problem}`, { param: 'url', code: 'webhook_url_refused' });
    }
  }

  private requireSecretBox(): SecretBox {
    if (!this.secretBox) {
      throw new HubError(
        'INVALID_REQUEST',
        'TOKENHUB_SECRET_KEY is not set: the hub cannot store webhook signing secrets. Set it (e.g. `openssl rand -base64 32`) and restart the hub.',
        { code: 'secret_key_not_configured' },
      );
    }
    return this.secretBox;
  }

  private repository(tenantId: string): InboxWebhooksRepository {
    return new InboxWebhooksRepository(this.db, tenantId);
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
