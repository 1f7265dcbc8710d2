import { resolve } from 'node:path';
import type { Llama, LlamaContext, LlamaContextSequence, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { LocalModelConfig } from '../../config/index.js';
import { HubError } from '../../core/index.js';
import { type ResolvedChatTemplate, resolveChatTemplate } from './chat-template.js';
import { getEngine, loadBindings, type NodeLlamaCpp } from './engine.js';
import { SlotQueue } from './slots.js';

/** A context window larger than this is opt-in (`context`): KV memory grows with it for every slot. */
const DEFAULT_MAX_CONTEXT = 4096;

export type LocalModelState = 'unloaded' | 'loading' | 'ready' | 'failed';

/** One configured local model as `GET /admin/v1/local-models` shows it. */
export interface LocalModelStatus {
  provider: string;
  id: string;
  path: string;
  state: LocalModelState;
  /** Why the last load failed. */
  error: string | null;
  load: 'lazy' | 'start';
  /** Tokens per request (per context sequence); null until loaded unless configured. */
  contextSize: number | null;
  parallel: number;
  threads: number;
  /** Requests decoding now / waiting for a slot. */
  active: number;
  queued: number;
  maxQueue: number;
  chatTemplate: 'gguf' | 'override' | 'none' | null;
  memory: {
    /** Weights (memory-mapped) in bytes. */
    modelBytes: number;
    /** KV cache and compute state of the decode context, all slots, in bytes. */
    contextBytes: number;
    /** Whether the embedding context has been created. */
    embeddingContext: boolean;
  };
  idleUnloadMs: number | null;
  loadedAt: string | null;
  lastUsedAt: string | null;
}

interface Loaded {
  lib: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  template: ResolvedChatTemplate;
  embedding: Promise<LlamaEmbeddingContext> | null;
  /** Cleared sequences ready for the next request (there are never more than `parallel`). */
  freeSequences: LlamaContextSequence[];
}

/** A slot on a loaded model, held for one request; `release` frees it (idempotent). */
export interface Lease {
  lib: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  /** An empty context sequence (null for leases taken without one, e.g. embeddings). */
  sequence: LlamaContextSequence | null;
  template: ResolvedChatTemplate;
  contextSize: number;
  embeddingContext(): Promise<LlamaEmbeddingContext>;
  /** Clears the sequence and frees the slot; resolves once the next request can have it. */
  release(): Promise<void>;
}

/**
 * One GGUF model: loads on first use (or at start), hands out decode slots (context sequences of one
 * shared context, so concurrent requests are batched together by llama.cpp), and unloads after
 * `idle_unload_ms` without requests.
 */
export class LocalModel {
  readonly providerId: string;
  readonly config: LocalModelConfig;
  private readonly gpu: boolean;
  private readonly slots: SlotQueue;
  private loaded: Loaded | null = null;
  private loading: Promise<Loaded> | null = null;
  private state: LocalModelState = 'unloaded';
  private lastError: string | null = null;
  private loadedAt: number | null = null;
  private lastUsedAt: number | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(providerId: string, config: LocalModelConfig) {
    this.providerId = providerId;
    this.config = config;
    this.gpu = (config.gpu_layers ?? 0) > 0;
    this.slots = new SlotQueue({
      parallel: config.parallel,
      maxQueue: config.max_queue,
      label: this.label,
      onIdle: () => this.scheduleIdleUnload(),
    });
  }

  get label(): string {
    return `${this.providerId}/${this.config.id}`;
  }

  /** Defaults to 1: llama.cpp's own default (all cores) was ~500× slower on small shared machines. */
  get threads(): number {
    return this.config.threads ?? 1;
  }

  /** Waits for a slot (bounded queue), loads the model if needed, and takes a context sequence. */
  async lease(signal: AbortSignal, withSequence = true): Promise<Lease> {
    if (this.closed) throw new HubError('UPSTREAM_UNAVAILABLE', `local model ${this.label} is shutting down`);
    this.cancelIdleUnload();
    const releaseSlot = await this.slots.acquire(signal);
    try {
      const loaded = await this.ensureLoaded();
      if (signal.aborted) throw signal.reason;
      const sequence = withSequence ? (loaded.freeSequences.pop() ?? loaded.context.getSequence()) : null;
      let released: Promise<void> | null = null;
      return {
        lib: loaded.lib,
        llama: loaded.llama,
        model: loaded.model,
        sequence,
        template: loaded.template,
        contextSize: loaded.context.contextSize,
        embeddingContext: () => this.embeddingContext(loaded),
        release: () => {
          released ??= this.recycle(loaded, sequence).finally(() => {
            this.lastUsedAt = Date.now();
            releaseSlot();
          });
          return released;
        },
      };
    } catch (error) {
      releaseSlot();
      throw error;
    }
  }

  /** Starts loading now (`load: start`); a failure is kept for the status list and the next request. */
  preload(): void {
    this.ensureLoaded().catch(() => undefined);
  }

  ensureLoaded(): Promise<Loaded> {
    if (this.loaded) return Promise.resolve(this.loaded);
    this.loading ??= this.load().then(
      (loaded) => {
        this.loaded = loaded;
        this.loading = null;
        this.state = 'ready';
        this.lastError = null;
        this.loadedAt = Date.now();
        return loaded;
      },
      (error: unknown) => {
        this.loading = null;
        this.state = 'failed';
        this.lastError = (error as Error).message;
        throw error;
      },
    );
    return this.loading;
  }

  status(): LocalModelStatus {
    const loaded = this.loaded;
    return {
      provider: this.providerId,
      id: this.config.id,
      path: this.config.path,
      state: this.state,
      error: this.lastError,
      load: this.config.load,
      contextSize: loaded?.context.contextSize ?? this.config.context ?? null,
      parallel: this.config.parallel,
      threads: this.threads,
      active: this.slots.active,
      queued: this.slots.queued,
      maxQueue: this.config.max_queue,
      chatTemplate: loaded?.template.source ?? null,
      memory: {
        modelBytes: loaded?.model.size ?? 0,
        contextBytes: loaded?.context.stateSize ?? 0,
        embeddingContext: loaded?.embedding != null,
      },
      idleUnloadMs: this.config.idle_unload_ms ?? null,
      loadedAt: this.loadedAt === null || !loaded ? null : new Date(this.loadedAt).toISOString(),
      lastUsedAt: this.lastUsedAt === null ? null : new Date(this.lastUsedAt).toISOString(),
    };
  }

  /** Frees the model's memory; the next request loads it again. */
  async unload(): Promise<void> {
    const loaded = this.loaded ?? (await this.loading?.catch(() => null)) ?? null;
    if (!loaded) return;
    this.loaded = null;
    this.loadedAt = null;
    if (this.state === 'ready') this.state = 'unloaded';
    const embedding = await loaded.embedding?.catch(() => null);
    await embedding?.dispose();
    await loaded.context.dispose();
    await loaded.model.dispose();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelIdleUnload();
    this.slots.rejectAll(new HubError('UPSTREAM_UNAVAILABLE', `local model ${this.label} is shutting down`));
    await this.unload();
  }

  private async load(): Promise<Loaded> {
    this.state = 'loading';
    const lib = await loadBindings();
    const llama = await getEngine(this.gpu);
    const modelPath = resolve(this.config.path);
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath, gpuLayers: this.gpu ? (this.config.gpu_layers ?? 0) : 0 });
    } catch (error) {
      throw new HubError(
        'UPSTREAM_UNAVAILABLE',
        `local model ${this.label} failed to load from ${modelPath}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    try {
      const template = resolveChatTemplate(lib, model, this.config.chat_template);
      const context = await model.createContext({
        sequences: this.config.parallel,
        contextSize: this.config.context ?? Math.min(model.trainContextSize, DEFAULT_MAX_CONTEXT),
        threads: this.threads,
      });
      return { lib, llama, model, context, template, embedding: null, freeSequences: [] };
    } catch (error) {
      await model.dispose();
      if (error instanceof HubError) throw error;
      throw new HubError('UPSTREAM_UNAVAILABLE', `local model ${this.label} cannot allocate its context: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * Sequences are kept and cleared rather than disposed: a disposed sequence's id returns to the
   * context only asynchronously, so the next request could find none left.
   */
  private async recycle(loaded: Loaded, sequence: LlamaContextSequence | null): Promise<void> {
    if (!sequence || sequence.disposed) return;
    try {
      await sequence.clearHistory();
      if (this.loaded === loaded) loaded.freeSequences.push(sequence);
      else await sequence.dispose();
    } catch {
      // The context went away (unload) while this request ended: nothing to keep.
    }
  }

  private embeddingContext(loaded: Loaded): Promise<LlamaEmbeddingContext> {
    loaded.embedding ??= loaded.model
      .createEmbeddingContext({ contextSize: loaded.context.contextSize, threads: this.threads })
      .catch((error: unknown) => {
        loaded.embedding = null;
        throw new HubError(
          'UPSTREAM_UNAVAILABLE',
          `local model ${this.label} cannot create an embedding context: ${(error as Error).message}`,
        );
      });
    return loaded.embedding;
  }

  private scheduleIdleUnload(): void {
    const idleMs = this.config.idle_unload_ms;
    if (idleMs === undefined || this.closed) return;
    this.cancelIdleUnload();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.slots.active === 0 && this.slots.queued === 0) this.unload().catch(() => undefined);
    }, idleMs);
    this.idleTimer.unref();
  }

  private cancelIdleUnload(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
