import { normalizeProviderBaseUrl, providerSchema } from '../../config/index.js';
import { HubError, newId, toHubError } from '../../core/index.js';
import type { BreakerState, TargetBreaker, UpstreamAddressPolicy, UpstreamRegistry } from '../../routing/index.js';
import type * as Api from '../contract.js';
import type { ProviderControl } from './provider-control.js';
import type { ProviderDraftTestBody, ProviderTestBody } from './validation.js';

/** A served provider (the providers layer is reached through routing only). */
type ServedProvider = UpstreamRegistry['providers'] extends Map<string, infer P> ? P : never;

export interface ProviderChecksDeps {
  registry: UpstreamRegistry;
  providers: ProviderControl;
  policy: UpstreamAddressPolicy;
  /** The router's breakers on this replica (none given: every target reads as closed and untried). */
  breakers?: (() => readonly TargetBreaker[]) | undefined;
}

const STATE_NAMES: Record<BreakerState, Api.BreakerStateName> = { closed: 'closed', open: 'open', 'half-open': 'half_open' };
const SEVERITY: Record<Api.BreakerStateName, number> = { closed: 0, half_open: 1, open: 2 };
const iso = (epochMs: number | null): string | null => (epochMs === null ? null : new Date(epochMs).toISOString());

/** Secrets shorter than this are no real credential; redacting them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 8;

/**
 * The read-only health of a provider (its targets' breakers on this replica) and the connection test:
 * one tiny real request through the provider, outside the router, so it neither retries, nor moves a
 * breaker, nor is metered to any tenant (no ledger row: the upstream may still bill the operator for a token).
 */
export class ProviderChecks {
  private readonly deps: ProviderChecksDeps;

  constructor(deps: ProviderChecksDeps) {
    this.deps = deps;
  }

  async health(id: string): Promise<Api.ProviderHealth> {
    const provider = await this.deps.providers.find(id);
    const snapshots = new Map((this.deps.breakers?.() ?? []).map((snapshot) => [snapshot.key, snapshot]));
    const targets = new Map<string, Api.TargetHealth>();
    for (const model of this.deps.registry.catalog.list()) {
      for (const target of model.targets) {
        if (target.providerId !== id) continue;
        const known = targets.get(target.key);
        if (known) {
          if (!known.models.includes(model.name)) known.models.push(model.name);
          continue;
        }
        targets.set(target.key, targetHealth(target.key, target.upstreamModel, model.name, snapshots.get(target.key)));
      }
    }
    const list = [...targets.values()];
    const breaker = list.reduce<Api.BreakerStateName>(
      (worst, target) => (SEVERITY[target.breaker] > SEVERITY[worst] ? target.breaker : worst),
      'closed',
    );
    return { object: 'provider_health', provider: id, status: provider.status, problem: provider.problem, breaker, targets: list };
  }

  /** Tests a served provider (config file or admin API); a stored one that cannot be served fails without connecting. */
  async test(id: string, body: ProviderTestBody): Promise<Api.ProviderTestResult> {
    const view = await this.deps.providers.find(id);
    const model = body.model ?? this.defaultModel(id);
    if (view.status === 'unavailable') {
      return failed(id, model, 0, null, { code: 'provider_unavailable', message: view.problem ?? 'the provider cannot be served' });
    }
    const provider = this.deps.registry.providers.get(id);
    if (!provider) throw new HubError('NOT_FOUND', `No provider with id ${id}.`, { code: 'provider_not_found', param: 'id' });
    return ask(provider, id, model, body.timeout_ms, []);
  }

  /**
   * Tests a provider before it is saved. It is built exactly as `POST /admin/v1/providers` would build it,
   * so a base URL the address policy refuses (private, link-local, metadata…) is refused here with the
   * same 400, before any connection; every connection it opens is checked again at connect time.
   */
  async testDraft(body: ProviderDraftTestBody): Promise<Api.ProviderTestResult> {
    const parsed = providerSchema.safeParse({
      id: 'connection-test',
      type: body.type,
      ...(body.preset !== undefined ? { preset: body.preset } : {}),
      ...(body.base_url !== undefined ? { base_url: normalizeProviderBaseUrl(body.type, body.base_url) } : {}),
      ...(body.api_key !== undefined ? { api_key: body.api_key } : {}),
      ...(body.headers !== undefined ? { headers: body.headers } : {}),
      max_connections: 1,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HubError('INVALID_REQUEST', `Invalid ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unknown'}`, {
        param: issue?.path.join('.') || 'body',
      });
    }
    const provider = await this.deps.registry.prepare(parsed.data, this.deps.policy);
    try {
      const secrets = [body.api_key, ...Object.values(body.headers ?? {})];
      return await ask(provider, null, body.model, body.timeout_ms, secrets);
    } finally {
      await provider.close().catch(() => {});
    }
  }

  /** The upstream model of the first chat model that routes to the provider. */
  private defaultModel(id: string): string {
    for (const model of this.deps.registry.catalog.list()) {
      if (model.kind !== 'chat') continue;
      const target = model.targets.find((candidate) => candidate.providerId === id);
      if (target) return target.upstreamModel;
    }
    throw new HubError('INVALID_REQUEST', `No chat model routes to provider ${id}: name the upstream model to test with.`, {
      param: 'model',
    });
  }
}

function targetHealth(key: string, upstreamModel: string, modelName: string, snapshot: TargetBreaker | undefined): Api.TargetHealth {
  return {
    target: key,
    upstream_model: upstreamModel,
    models: [modelName],
    breaker: snapshot ? STATE_NAMES[snapshot.state] : 'closed',
    since: snapshot ? iso(snapshot.since) : null,
    consecutive_failures: snapshot?.consecutiveFailures ?? 0,
    recent_attempts: snapshot?.recentAttempts ?? 0,
    recent_failures: snapshot?.recentFailures ?? 0,
    last_error: snapshot?.lastError ?? null,
    last_failure_at: snapshot ? iso(snapshot.lastFailureAt) : null,
  };
}

const failed = (
  provider: string | null,
  model: string,
  latencyMs: number,
  status: number | null,
  error: { code: string; message: string },
): Api.ProviderTestResult => ({ object: 'provider_test', provider, model, ok: false, latency_ms: latencyMs, status, error });

/** The 1-token call, bounded by `timeoutMs`; `secrets` (a draft's key and header values) are taken out of any message. */
async function ask(
  provider: ServedProvider,
  id: string | null,
  model: string,
  timeoutMs: number,
  secrets: readonly (string | undefined)[],
): Promise<Api.ProviderTestResult> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new HubError('UPSTREAM_TIMEOUT', `the upstream did not answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const started = performance.now();
  try {
    await provider.chat(
      { model, messages: [{ role: 'user', content: 'ping' }], stream: false, maxTokens: 1 },
      { signal: controller.signal, requestId: newId('req') },
    );
    return { object: 'provider_test', provider: id, model, ok: true, latency_ms: elapsed(started), status: 200, error: null };
  } catch (thrown) {
    const error = controller.signal.reason instanceof HubError ? controller.signal.reason : toHubError(thrown);
    return failed(id, model, elapsed(started), error.details.upstreamStatus ?? null, {
      code: error.details.code ?? error.code.toLowerCase(),
      message: redact(error.message, secrets),
    });
  } finally {
    clearTimeout(timer);
  }
}

const elapsed = (started: number): number => Math.round(performance.now() - started);

function redact(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  const known = secrets.filter((secret): secret is string => secret !== undefined && secret.length >= MIN_SECRET_LENGTH);
  for (const secret of known.sort((a, b) => b.length - a.length)) out = out.replaceAll(secret, '[redacted]');
  return out;
}
