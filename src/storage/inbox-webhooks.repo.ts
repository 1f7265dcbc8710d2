import type { Database, Queryable } from './database.js';
import { asDate, asNumber, asOptionalDate, fromJsonb, toJsonb } from './values.js';

/** A webhook as stored: its signing secret only in sealed form. */
export interface InboxWebhookRecord {
  id: string;
  tenantId: string;
  url: string;
  events: string[];
  sealedSecret: string;
  description: string | null;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewInboxWebhook {
  id: string;
  url: string;
  events: readonly string[];
  sealedSecret: string;
  description: string | null;
}

/** Only the fields given change; `description: null` clears it. */
export interface InboxWebhookPatch {
  url?: string;
  events?: readonly string[];
  description?: string | null;
  disabled?: boolean;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryRecord {
  id: string;
  webhookId: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  payload: unknown;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** One event to record for delivery: `payload` is the body the receivers get. */
export interface WebhookEventRow {
  eventId: string;
  eventType: string;
  payload: object;
  createdAt: Date;
}

/** A delivery a worker claimed, with what it needs to send it. `attempts` counts this attempt. */
export interface ClaimedWebhookDelivery extends WebhookDeliveryRecord {
  url: string;
  sealedSecret: string;
}

/** How an attempt went: delivered, to retry at `nextAttemptAt`, or given up (`failed`). */
export type WebhookAttemptResult =
  | { status: 'delivered'; statusCode: number }
  | { status: 'pending'; statusCode: number | null; error: string; nextAttemptAt: Date }
  | { status: 'failed'; statusCode: number | null; error: string };

interface WebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  events: string[] | string;
  sealed_secret: string;
  description: string | null;
  disabled: boolean;
  created_at: unknown;
  updated_at: unknown;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  payload: unknown;
  status: WebhookDeliveryStatus;
  attempts: unknown;
  next_attempt_at: unknown;
  last_attempt_at: unknown;
  last_status_code: unknown;
  last_error: string | null;
  created_at: unknown;
  delivered_at: unknown;
}

const WEBHOOK_COLUMNS = 'id, tenant_id, url, events, sealed_secret, description, disabled, created_at, updated_at';
const DELIVERY_COLUMN_LIST = [
  'id',
  'webhook_id',
  'tenant_id',
  'event_id',
  'event_type',
  'payload',
  'status',
  'attempts',
  'next_attempt_at',
  'last_attempt_at',
  'last_status_code',
  'last_error',
  'created_at',
  'delivered_at',
];
const DELIVERY_COLUMNS = DELIVERY_COLUMN_LIST.join(', ');
const deliveryColumnsOf = (alias: string): string => DELIVERY_COLUMN_LIST.map((column) => `${alias}.${column}`).join(', ');

// A text[] comes back as an array from both drivers; a cast through text would give its literal form.
const asTextArray = (value: string[] | string): string[] =>
  Array.isArray(value)
    ? value
    : value
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter(Boolean);

const toWebhook = (row: WebhookRow): InboxWebhookRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  url: row.url,
  events: asTextArray(row.events),
  sealedSecret: row.sealed_secret,
  description: row.description,
  disabled: row.disabled,
  createdAt: asDate(row.created_at),
  updatedAt: asDate(row.updated_at),
});

const toDelivery = (row: DeliveryRow): WebhookDeliveryRecord => ({
  id: row.id,
  webhookId: row.webhook_id,
  tenantId: row.tenant_id,
  eventId: row.event_id,
  eventType: row.event_type,
  payload: fromJsonb(row.payload),
  status: row.status,
  attempts: asNumber(row.attempts),
  nextAttemptAt: asOptionalDate(row.next_attempt_at),
  lastAttemptAt: asOptionalDate(row.last_attempt_at),
  lastStatusCode: row.last_status_code === null || row.last_status_code === undefined ? null : asNumber(row.last_status_code),
  lastError: row.last_error,
  createdAt: asDate(row.created_at),
  deliveredAt: asOptionalDate(row.delivered_at),
});

// Delivery ids are minted in SQL, so one statement can fan an event out to every subscribed webhook.
const NEW_DELIVERY_ID = `'whd_' || replace(gen_random_uuid()::text, '-', '')`;

/** One tenant's inbox webhooks and their delivery log; every query carries the tenant filter. */
export class InboxWebhooksRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  async create(webhook: NewInboxWebhook, now: Date): Promise<InboxWebhookRecord> {
    const rows = await this.db.query<WebhookRow>(
      `insert into inbox_webhooks (id, tenant_id, url, events, sealed_secret, description, created_at, updated_at)
       values ($1, $2, $3, $4::text[], $5, $6, $7, $7)
       returning ${WEBHOOK_COLUMNS}`,
      [webhook.id, this.tenantId, webhook.url, [...webhook.events], webhook.sealedSecret, webhook.description, now],
    );
    const row = rows[0];
    if (!row) throw new Error('insert into inbox_webhooks returned no row');
    return toWebhook(row);
  }

  async count(): Promise<number> {
    const rows = await this.db.query<{ count: unknown }>('select count(*) as count from inbox_webhooks where tenant_id = $1', [
      this.tenantId,
    ]);
    return asNumber(rows[0]?.count);
  }

  async get(id: string): Promise<InboxWebhookRecord | undefined> {
    const rows = await this.db.query<WebhookRow>(`select ${WEBHOOK_COLUMNS} from inbox_webhooks where tenant_id = $1 and id = $2`, [
      this.tenantId,
      id,
    ]);
    return rows[0] ? toWebhook(rows[0]) : undefined;
  }

  async list(): Promise<InboxWebhookRecord[]> {
    const rows = await this.db.query<WebhookRow>(
      `select ${WEBHOOK_COLUMNS} from inbox_webhooks where tenant_id = $1 order by created_at, id`,
      [this.tenantId],
    );
    return rows.map(toWebhook);
  }

  async update(id: string, patch: InboxWebhookPatch, now: Date): Promise<InboxWebhookRecord | undefined> {
    const rows = await this.db.query<WebhookRow>(
      `update inbox_webhooks set
         url = coalesce($3, url),
         events = coalesce($4::text[], events),
         description = case when $5::boolean then $6 else description end,
         disabled = coalesce($7, disabled),
         updated_at = $8
       where tenant_id = $1 and id = $2
       returning ${WEBHOOK_COLUMNS}`,
      [
        this.tenantId,
        id,
        patch.url ?? null,
        patch.events ? [...patch.events] : null,
        patch.description !== undefined,
        patch.description ?? null,
        patch.disabled ?? null,
        now,
      ],
    );
    return rows[0] ? toWebhook(rows[0]) : undefined;
  }

  /** Deletes the webhook and its delivery log. */
  async delete(id: string): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>('delete from inbox_webhooks where tenant_id = $1 and id = $2 returning id', [
      this.tenantId,
      id,
    ]);
    return rows.length > 0;
  }

  /**
   * Records the event for every enabled webhook of the tenant subscribed to its type, in one statement (an
   * index probe and nothing more when the tenant has none). Returns how many deliveries it queued.
   */
  async enqueueEvent(event: WebhookEventRow): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `insert into webhook_deliveries (id, webhook_id, tenant_id, event_id, event_type, payload, next_attempt_at, created_at)
       select ${NEW_DELIVERY_ID}, w.id, w.tenant_id, $2, $3, $4::jsonb, $5, $5
       from inbox_webhooks w
       where w.tenant_id = $1 and not w.disabled and $3 = any(w.events)
       returning id`,
      [this.tenantId, event.eventId, event.eventType, toJsonb(event.payload), event.createdAt],
    );
    return rows.length;
  }

  /** Queues the event for this one webhook whatever it subscribes to (test events, redeliveries); undefined when it is not the tenant's. */
  async enqueueFor(webhookId: string, event: WebhookEventRow): Promise<WebhookDeliveryRecord | undefined> {
    const rows = await this.db.query<DeliveryRow>(
      `insert into webhook_deliveries (id, webhook_id, tenant_id, event_id, event_type, payload, next_attempt_at, created_at)
       select ${NEW_DELIVERY_ID}, w.id, w.tenant_id, $3, $4, $5::jsonb, $6, $6
       from inbox_webhooks w
       where w.tenant_id = $1 and w.id = $2
       returning ${DELIVERY_COLUMNS}`,
      [this.tenantId, webhookId, event.eventId, event.eventType, toJsonb(event.payload), event.createdAt],
    );
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  /** The webhook's delivery log, newest first; `after` (a delivery id) continues from that row. */
  async deliveries(webhookId: string, page: { limit: number; after?: string }): Promise<WebhookDeliveryRecord[]> {
    const rows = await this.db.query<DeliveryRow>(
      `select ${DELIVERY_COLUMNS} from webhook_deliveries
       where tenant_id = $1 and webhook_id = $2
         and ($4::text is null or seq < (select seq from webhook_deliveries where tenant_id = $1 and webhook_id = $2 and id = $4))
       order by seq desc
       limit $3`,
      [this.tenantId, webhookId, page.limit, page.after ?? null],
    );
    return rows.map(toDelivery);
  }

  async delivery(webhookId: string, deliveryId: string): Promise<WebhookDeliveryRecord | undefined> {
    const rows = await this.db.query<DeliveryRow>(
      `select ${DELIVERY_COLUMNS} from webhook_deliveries where tenant_id = $1 and webhook_id = $2 and id = $3`,
      [this.tenantId, webhookId, deliveryId],
    );
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }
}

/**
 * The workers' side of webhook deliveries, across tenants. A worker claims due rows with `FOR UPDATE SKIP
 * LOCKED` (replicas polling at once never take the same row) and leases each by pushing `next_attempt_at`
 * to `leaseUntil`: if the worker dies mid-send, the row falls due again then. Results are fenced by the
 * attempt number, so a worker whose lease ran out records nothing over a later attempt.
 */
export class WebhookDeliveryQueue {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Claims up to `limit` pending deliveries due by `now` whose webhook is enabled, counting an attempt on each. */
  async claim(limit: number, now: Date, leaseUntil: Date): Promise<ClaimedWebhookDelivery[]> {
    if (limit <= 0) return [];
    const rows = await this.db.query<DeliveryRow & { url: string; sealed_secret: string }>(
      `with due as (
         select d.id from webhook_deliveries d
         where d.status = 'pending' and d.next_attempt_at <= $1
           and exists (select 1 from inbox_webhooks w where w.id = d.webhook_id and not w.disabled)
         order by d.next_attempt_at
         limit $2
         for update skip locked
       )
       update webhook_deliveries d set attempts = d.attempts + 1, next_attempt_at = $3, last_attempt_at = $1
       from due, inbox_webhooks w
       where d.id = due.id and w.id = d.webhook_id
       returning ${deliveryColumnsOf('d')}, w.url, w.sealed_secret`,
      [now, limit, leaseUntil],
    );
    return rows.map((row) => ({ ...toDelivery(row), url: row.url, sealedSecret: row.sealed_secret }));
  }

  /** Records how attempt number `attempt` went; false when that attempt's claim is no longer the current one. */
  async record(deliveryId: string, attempt: number, result: WebhookAttemptResult, now: Date): Promise<boolean> {
    const delivered = result.status === 'delivered';
    const rows = await this.db.query<{ id: string }>(
      `update webhook_deliveries set
         status = $3,
         next_attempt_at = $4,
         last_status_code = $5,
         last_error = $6,
         delivered_at = $7
       where id = $1 and attempts = $2 and status = 'pending'
       returning id`,
      [
        deliveryId,
        attempt,
        result.status,
        result.status === 'pending' ? result.nextAttemptAt : null,
        result.statusCode,
        delivered ? null : result.error,
        delivered ? now : null,
      ],
    );
    return rows.length > 0;
  }
}

/**
 * Re-seals every tenant's webhook signing secrets in one transaction (key rotation), rows locked meanwhile;
 * `reseal` gets each sealed value and returns its replacement. Returns how many rows changed.
 */
export async function resealAllInboxWebhookSecrets(
  db: Database,
  reseal: (webhook: { tenantId: string; id: string; sealedSecret: string }) => string,
): Promise<number> {
  return db.transaction(async (tx: Queryable) => {
    const rows = await tx.query<{ id: string; tenant_id: string; sealed_secret: string }>(
      'select id, tenant_id, sealed_secret from inbox_webhooks order by id for update',
    );
    let changed = 0;
    for (const row of rows) {
      const next = reseal({ tenantId: row.tenant_id, id: row.id, sealedSecret: row.sealed_secret });
      if (next === row.sealed_secret) continue;
      await tx.query('update inbox_webhooks set sealed_secret = $2 where id = $1', [row.id, next]);
      changed++;
    }
    return changed;
  });
}
