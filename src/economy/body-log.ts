import { type Clock, cutAtWord, HubError, redactSecrets, redactSecretText } from '../core/index.js';
import {
  BodyLoggingRepository,
  type BodyLoggingScope,
  type BodyLoggingSetting,
  type Database,
  deleteExpiredRequestBodies,
  findProjectTenant,
  insertRequestBodies,
  RequestBodiesRepository,
  type StoredBodies,
} from '../storage/index.js';
import type { Principal } from './contract.js';
import type { Invalidator, KeyService } from './key-service.js';
import type { EconomyLogger } from './logger.js';
import { notFound } from './tenancy-service.js';

/** Each kept body holds at most this many bytes of UTF-8 (request and response alike); the rest is cut and marked. */
export const BODY_CAP_BYTES = 64 * 1024;
export const DEFAULT_BODY_RETENTION_DAYS = 30;
export const MAX_BODY_RETENTION_DAYS = 365;

/** Calls captured but not yet written, at most: past it new captures are dropped (and counted), never queued without bound. */
const MAX_PENDING = 1_000;
/** Captures that make the writer go at once rather than at its next tick. */
const FLUSH_BATCH = 64;
const DAY_MS = 86_400_000;

/** What the gateway hands over once a kept call's response has ended, raw: redaction and capping happen here, off the request path. */
export interface CapturedBodies {
  requestId: string;
  /** The calling key's principal: its tenant, key, and `bodyRetentionDays`. */
  principal: Principal;
  /** When the call was admitted (ms since the epoch). */
  at: number;
  /** The parsed JSON request body. */
  request: unknown;
  /** The response as sent (`json`, `text`), or for a stream the text it carried, assembled. */
  response: string;
  responseKind: StoredBodies['responseKind'];
  /** The capture stopped at its own cap before the response ended. */
  responseTruncated: boolean;
}

/** The gateway's side of the body log: `record` only queues, so it costs the response nothing to wait for. */
export interface BodyRecorder {
  record(capture: CapturedBodies): void;
}

/** A key's or a project's body retention: its own setting, and what applies to its calls. */
export interface BodyLoggingView {
  scope: BodyLoggingScope;
  targetId: string;
  tenantId: string;
  own: BodyLoggingSetting | undefined;
  /** What its calls get: for a key, its own setting if any, else its project's; for a project, its own. */
  effective: BodyLoggingSetting | undefined;
}

/** The bytes of `text` up to `maxBytes` of UTF-8, never splitting a character. */
function capUtf8(text: string, maxBytes: number): { text: string; truncated: boolean } {
  if (text.length <= maxBytes / 3 || Buffer.byteLength(text) <= maxBytes) return { text, truncated: false };
  const cut = Buffer.from(text)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return { text: cut, truncated: true };
}

/** Text a PostgreSQL `text` column takes: no NUL, no lone surrogate (`\p{Cs}` with the `u` flag matches only unpaired ones). */
const storable = (text: string): string => text.replaceAll('\u0000', '\uFFFD').replace(/\p{Cs}/gu, '\uFFFD');

function redactRequest(request: unknown): { text: string; truncated: boolean } {
  const text = request === undefined ? '' : (JSON.stringify(redactSecrets(request, BODY_CAP_BYTES)) ?? '');
  return capUtf8(storable(text), BODY_CAP_BYTES);
}

function redactResponse(capture: CapturedBodies): { text: string; truncated: boolean } {
  let text: string | undefined;
  if (capture.responseKind === 'json' && !capture.responseTruncated) {
    try {
      text = JSON.stringify(redactSecrets(JSON.parse(capture.response), BODY_CAP_BYTES));
    } catch {
      // not JSON after all: masked as text below
    }
  }
  const cut = text === undefined && capture.response.length > BODY_CAP_BYTES;
  text ??= redactSecretText(cut ? cutAtWord(capture.response, BODY_CAP_BYTES) : capture.response);
  const capped = capUtf8(storable(text), BODY_CAP_BYTES);
  return { text: capped.text, truncated: capped.truncated || cut || capture.responseTruncated };
}

/**
 * Opt-in retention of request and response bodies, per key or per project. Nothing here runs for a key
 * that did not opt in: the gateway checks `principal.bodyRetentionDays` (cached with the key) and never
 * calls `record`. For one that did, `record` queues the raw capture; the writer redacts (API keys, bearer
 * tokens, JWTs, private keys, passwords, emails; secret fields such as `api_key` and `headers`), caps each
 * body at `BODY_CAP_BYTES` and inserts a batch per statement, off the request path; the sweep deletes
 * bodies whose retention ran out. Bodies are diagnostics, not money: a batch the database refuses is
 * logged and dropped, never retried without bound.
 */
export class BodyLog implements BodyRecorder {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly logger: EconomyLogger;
  private readonly keys: KeyService;
  private readonly invalidator: Invalidator;
  private pending: CapturedBodies[] = [];
  private writing: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private droppedCount = 0;
  private lastDropWarning = 0;

  constructor(options: { db: Database; clock: Clock; logger: EconomyLogger; keys: KeyService; invalidator: Invalidator }) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger;
    this.keys = options.keys;
    this.invalidator = options.invalidator;
  }

  /** Writes what is queued every `flushIntervalMs`; sweeps expired bodies every `sweepIntervalMs`. */
  start(flushIntervalMs = 1_000, sweepIntervalMs = 3_600_000): void {
    const flush = setInterval(() => void this.flush(), flushIntervalMs);
    const sweep = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger.warn({ err: error }, 'sweeping expired request bodies failed'));
    }, sweepIntervalMs);
    flush.unref();
    sweep.unref();
    this.timers.push(flush, sweep);
  }

  record(capture: CapturedBodies): void {
    if (capture.principal.tenantId === null || capture.principal.bodyRetentionDays === undefined) return;
    if (this.pending.length >= MAX_PENDING) {
      this.droppedCount++;
      const now = this.clock.now();
      if (now - this.lastDropWarning > 60_000) {
        this.lastDropWarning = now;
        this.logger.warn({ dropped: this.droppedCount }, 'request bodies dropped: the body log is behind');
      }
      return;
    }
    this.pending.push(capture);
    if (this.pending.length >= FLUSH_BATCH) setImmediate(() => void this.flush());
  }

  /** Captures dropped since start because the writer was behind. */
  dropped(): number {
    return this.droppedCount;
  }

  /** Writes everything queued so far (one write at a time; a second call waits for the first and then goes on). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.write(batch).finally(() => {
      this.writing = null;
    });
    await this.writing;
  }

  private async write(batch: readonly CapturedBodies[]): Promise<void> {
    const rows: StoredBodies[] = [];
    for (const capture of batch) {
      const request = redactRequest(capture.request);
      const response = redactResponse(capture);
      const days = capture.principal.bodyRetentionDays ?? DEFAULT_BODY_RETENTION_DAYS;
      rows.push({
        requestId: capture.requestId,
        tenantId: capture.principal.tenantId as string,
        keyId: capture.principal.keyId,
        createdAt: new Date(capture.at),
        expiresAt: new Date(capture.at + days * DAY_MS),
        requestBody: request.text,
        requestTruncated: request.truncated,
        responseBody: response.text,
        responseTruncated: response.truncated,
        responseKind: capture.responseKind,
      });
    }
    try {
      await insertRequestBodies(this.db, rows);
    } catch (error) {
      this.logger.error({ err: error, bodies: rows.length }, 'request bodies could not be written; dropped');
    }
  }

  /** Deletes every body expired at `now` (default: the clock's now); returns how many. */
  async sweep(now: Date = new Date(this.clock.now())): Promise<number> {
    const batch = 1_000;
    let deleted = 0;
    for (;;) {
      const count = await deleteExpiredRequestBodies(this.db, now, batch);
      deleted += count;
      if (count < batch) return deleted;
    }
  }

  /** One call's kept bodies; `tenantId` null (the admin API): any tenant's. Undefined when none were kept or they expired. */
  read(tenantId: string | null, requestId: string): Promise<StoredBodies | undefined> {
    return new RequestBodiesRepository(this.db, tenantId).get(requestId, new Date(this.clock.now()));
  }

  /** A key's setting; with `tenantId`, a key of another tenant is a 404. */
  async forKey(keyId: string, tenantId?: string): Promise<BodyLoggingView> {
    const key = await this.keys.get(keyId, tenantId);
    const repository = new BodyLoggingRepository(this.db, key.tenantId);
    const own = await repository.get('key', key.id);
    const effective = own ?? (key.projectId ? await repository.get('project', key.projectId) : undefined);
    return { scope: 'key', targetId: key.id, tenantId: key.tenantId, own, effective };
  }

  /** A project's setting; with `tenantId`, a project of another tenant is a 404. */
  async forProject(projectId: string, tenantId?: string): Promise<BodyLoggingView> {
    const owner = await findProjectTenant(this.db, projectId);
    if (!owner || (tenantId !== undefined && owner !== tenantId)) throw notFound('project', projectId, 'id');
    const own = await new BodyLoggingRepository(this.db, owner).get('project', projectId);
    return { scope: 'project', targetId: projectId, tenantId: owner, own, effective: own };
  }

  /** Sets a key's or a project's own setting; its keys follow on every replica (their cached principals are invalidated). */
  async set(
    scope: BodyLoggingScope,
    targetId: string,
    value: { enabled: boolean; retentionDays: number },
    tenantId?: string,
  ): Promise<BodyLoggingView> {
    if (!Number.isInteger(value.retentionDays) || value.retentionDays < 1 || value.retentionDays > MAX_BODY_RETENTION_DAYS) {
      throw new HubError('INVALID_REQUEST', `retention_days must be a whole number of days from 1 to ${MAX_BODY_RETENTION_DAYS}.`, {
        param: 'retention_days',
      });
    }
    const view = scope === 'key' ? await this.forKey(targetId, tenantId) : await this.forProject(targetId, tenantId);
    await new BodyLoggingRepository(this.db, view.tenantId).set(scope, targetId, value, new Date(this.clock.now()));
    await this.invalidate(scope, targetId, view.tenantId);
    return scope === 'key' ? this.forKey(targetId, view.tenantId) : this.forProject(targetId, view.tenantId);
  }

  /** Removes a key's or a project's own setting (a key then follows its project's). */
  async clear(scope: BodyLoggingScope, targetId: string, tenantId?: string): Promise<BodyLoggingView> {
    const view = scope === 'key' ? await this.forKey(targetId, tenantId) : await this.forProject(targetId, tenantId);
    await new BodyLoggingRepository(this.db, view.tenantId).clear(scope, targetId);
    await this.invalidate(scope, targetId, view.tenantId);
    return scope === 'key' ? this.forKey(targetId, view.tenantId) : this.forProject(targetId, view.tenantId);
  }

  private invalidate(scope: BodyLoggingScope, targetId: string, tenantId: string): Promise<void> {
    // A project's keys are not listed here: the tenant's cached keys are all dropped (a rare, deliberate change).
    return this.invalidator.publish(scope === 'key' ? { type: 'key', keyId: targetId } : { type: 'tenant', tenantId });
  }

  /** Writes what is queued and stops the timers (on shutdown, before the database closes). */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.flush();
  }
}
