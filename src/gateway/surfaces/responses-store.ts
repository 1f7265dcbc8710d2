import type { FastifyBaseLogger } from 'fastify';
import { HubError } from '../../core/index.js';
import type { ItemResolver } from '../../wire/responses/index.js';

/**
 * What the Responses surface needs from storage, stated here so the gateway never imports storage:
 * the composition root passes `responsesStore(db)` from `storage/responses.repo.ts`, which has this
 * shape. Stores are tenant-bound: `forTenant(null)` is the admin key's own namespace.
 */
export interface StoredResponse {
  id: string;
  previousResponseId: string | null;
  model: string;
  status: string;
  response: Record<string, unknown>;
  inputItems: Record<string, unknown>[];
  expiresAt: Date | null;
}

export interface TenantResponseStore {
  /** Whether the record was stored (false: its id belongs to another tenant). */
  save(record: StoredResponse): Promise<boolean>;
  get(id: string): Promise<StoredResponse | undefined>;
  /** The conversation ending with `id`, oldest turn first; empty when `id` is not visible. */
  conversation(id: string): Promise<StoredResponse[]>;
  delete(id: string): Promise<boolean>;
}

export interface ResponseStore {
  forTenant(tenantId: string | null): TenantResponseStore;
  /** Deletes expired responses (a bounded batch); returns how many went. */
  sweep(now: Date): Promise<number>;
}

export const DEFAULT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * `responses.retention_days` from the config, read defensively: the config schema owns validation,
 * but a missing or malformed section must not break the surface.
 */
export function retentionDaysFrom(config: unknown): number {
  if (config && typeof config === 'object') {
    const days = (config as { retention_days?: unknown }).retention_days;
    if (typeof days === 'number' && Number.isFinite(days) && days > 0) return days;
  }
  return DEFAULT_RETENTION_DAYS;
}

export function expiryFor(now: Date, retentionDays: number): Date {
  return new Date(now.getTime() + retentionDays * DAY_MS);
}

/** Every item of a stored conversation, oldest first: each turn's input, then its output. */
export function conversationItems(chain: readonly StoredResponse[]): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (const turn of chain) {
    items.push(...turn.inputItems);
    const output = turn.response.output;
    if (Array.isArray(output)) items.push(...(output as Record<string, unknown>[]));
  }
  return items;
}

/** Resolves `item_reference`s against the items of a stored conversation. */
export function itemResolver(items: readonly Record<string, unknown>[]): ItemResolver {
  const byId = new Map<string, Record<string, unknown>>();
  for (const item of items) if (typeof item.id === 'string') byId.set(item.id, item);
  return (id) => byId.get(id);
}

export function responseNotFound(id: string, param?: string): HubError {
  return new HubError('NOT_FOUND', `${param ? 'Previous response' : 'Response'} with id '${id}' not found.`, {
    ...(param ? { param } : {}),
    code: param ? 'previous_response_not_found' : 'response_not_found',
  });
}

const SWEEP_BATCH_LIMIT = 100;

/**
 * Deletes expired responses every `intervalMs`, batch after batch until none is left; reads already
 * hide expired rows, so the sweep only reclaims space. The timer never keeps the process alive.
 */
export function startRetentionSweep(store: ResponseStore, intervalMs: number, now: () => Date, log: FastifyBaseLogger): () => void {
  let running = false;
  const sweep = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      for (let round = 0; round < SWEEP_BATCH_LIMIT; round++) {
        if ((await store.sweep(now())) === 0) break;
      }
    } catch (error) {
      log.warn({ err: error }, 'stored responses sweep failed; retrying at the next interval');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
