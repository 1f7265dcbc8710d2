import type { ChatRequest, HubError, Picos, Usage } from '../core/index.js';
import type { LedgerEntry } from '../storage/index.js';

/** Who is calling: resolved from the API key, cached in process. */
export interface Principal {
  kind: 'admin' | 'virtual-key';
  tenantId: string | null;
  projectId: string | null;
  keyId: string | null;
  /** Model names this key may use; null means all. */
  allowedModels: readonly string[] | null;
  /** What the key may do (see scopes.ts); the admin principal has every scope. */
  scopes: readonly string[];
  /** The person a personal key belongs to (their role governs the tenant routes); null for service keys and the admin key. */
  userId?: string | null;
  /**
   * Set only for a key whose request and response bodies are kept (its own or its project's opt-in): for how
   * many days. Absent, the gateway does no body work at all for the call.
   */
  bodyRetentionDays?: number;
}

/** A run's own spending limit; its counter covers the run and every run it started. */
export interface RunBudget {
  runId: string;
  limitPicos: Picos;
}

/** The agent, run and thread a model call is made for (agent traffic). */
export interface CallAttribution {
  /** The agent the call is made for (absent for a workflow's own model calls). */
  agent?: string;
  runId: string;
  /** The workflow whose run (or whose step's child run) made the call. */
  workflow?: string;
  threadId?: string | null;
  /**
   * Hard limits (`max_cost_usd`) of the run and of the runs it was started by (a child run counts against its
   * parent's limit too): reserved against atomically with the key's, project's and tenant's budgets, so no
   * run spends past its limit, however many of its calls (and its children's) run at once.
   */
  runBudgets?: readonly RunBudget[];
  /** Told of the call's ledger entry once it is durable (a run adds up its own usage from these). Must not throw. */
  onSettled?: (entry: LedgerEntry) => void;
}

/** What admission needs to know about a request to rate-limit it and reserve its worst-case cost. */
export interface AdmissionRequest {
  /** Minted by the hub for every request: the ledger key and the reservation id. Never client input. */
  requestId: string;
  /** The id the client sent (`x-request-id` / `x-client-request-id`), kept for correlation only. */
  clientRequestId?: string;
  /** Agent traffic: what the call is made for, recorded on its ledger row. */
  attribution?: CallAttribution;
  /** The model name the client asked for. */
  model: string;
  /** Canonical request, used to count prompt tokens with a tokenizer (chat) ... */
  chat?: ChatRequest;
  /** ... or the raw input of an embeddings request. */
  embeddingsInput?: string | string[] | number[] | number[][];
  /**
   * Choices the upstream generates beyond `chat.n` (e.g. `best_of` candidates of a text completion):
   * the reservation covers `max_tokens` for each.
   */
  generatedChoices?: number;
  /** Models the router may fall back to, in order: reservations cover the dearest of the chain. */
  fallbackModels?: string[];
  /** Client protocol, for the record. */
  surface: 'openai' | 'anthropic' | 'responses' | 'internal';
  /**
   * What is asked for (GenAI `gen_ai.operation.name`); default: `embeddings` with `embeddingsInput`, else `chat`.
   * `count_tokens` generates nothing: it is checked for model access, requests per minute and concurrency,
   * but reserves and bills nothing, counts against no token limit and writes no ledger row.
   */
  operation?: 'chat' | 'text_completion' | 'embeddings' | 'count_tokens';
}

/** How a request ended, as settlement needs it. */
export interface SettlementOutcome {
  /** The model name actually served (a fallback when one was used). */
  servedModel: string;
  providerId: string | null;
  upstreamModel: string | null;
  /** Usage from the upstream, when it reported one. */
  usage: Usage | null;
  /** The text the upstream generated (content, reasoning, tool arguments), to count when `usage` is null. */
  outputText: string;
  /**
   * Tokens of generated text already counted (long streams count their text in segments so that memory
   * stays bounded); `outputText` then holds only the rest.
   */
  outputTokensCounted?: number;
  /** HTTP status the client saw (or would have: 499 when it left). */
  status: number;
  error?: HubError;
  latencyMs: number;
  /** Time to first byte from the upstream, for streams. */
  ttfbMs?: number;
  stream: boolean;
  attempts: number;
}

/** An admitted request: its reservation is held until `settle` (exactly once). */
export interface Admission {
  readonly principal: Principal;
  /**
   * Settles to the actual cost, releases the rest of the reservation and journals the ledger row.
   * Runs once: later calls return the first call's promise. Resolves when the row is durable on
   * disk (group-committed fsync, typically a few ms): await it before ending the response, so a
   * client never sees a completed response whose usage a crash could lose. Rejects only when the
   * journal cannot be written (disk failure); the response should then not be reported complete.
   */
  settle(outcome: SettlementOutcome): Promise<void>;
}

/** The economy as the gateway sees it. */
export interface EconomyGate {
  /** Resolves an API key (from `Authorization: Bearer` or `x-api-key`); throws UNAUTHENTICATED. */
  authenticate(apiKey: string | undefined): Promise<Principal>;
  /** Checks model access and rate limits and reserves the worst case against every budget; throws on refusal. */
  admit(principal: Principal, request: AdmissionRequest): Promise<Admission>;
}
