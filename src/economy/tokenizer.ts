import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatMessage, ChatRequest, ContentPart, ToolDefinition } from '../core/index.js';

/**
 * Token counts for reservations and for billing when an upstream reports no usage. OpenAI's
 * encodings are exact for OpenAI models and a close estimate for others (Claude, Qwen, DeepSeek
 * and local models tokenize differently; their upstreams report usage, which always wins).
 */
type Counter = (text: string) => number;

// User text may contain strings like "<|endoftext|>": count them as text, never reject them.
const TEXT_ONLY = { disallowedSpecial: new Set<string>() };

/**
 * Conversations resend the same system prompt, tool list and history on every turn; counting a message
 * once and remembering it keeps admission cheap. A bounded map, oldest entry evicted first.
 */
function memoized(count: Counter, maxChars = 8_000_000): Counter {
  const cache = new Map<string, number>();
  let cachedChars = 0;
  return (text) => {
    if (text.length === 0) return 0;
    if (text.length < 16 || text.length > maxChars / 8) return count(text);
    const known = cache.get(text);
    if (known !== undefined) return known;
    const tokens = count(text);
    cache.set(text, tokens);
    cachedChars += text.length;
    for (const oldest of cache.keys()) {
      if (cachedChars <= maxChars) break;
      cache.delete(oldest);
      cachedChars -= oldest.length;
    }
    return tokens;
  };
}

/** Runs of non-space characters longer than this are counted in slices. */
const LONG_RUN = 256;
const RUN_SLICE = 128;
/** Characters of long runs counted exactly per text; the rest is estimated. */
const EXACT_RUN_BUDGET = 16 * 1024;
/** Tokens per character assumed past the budget: base64, the densest common case, is ~0.68; this errs high. */
const ESTIMATED_TOKENS_PER_CHAR = 0.75;
const LONG_RUNS = /\S{257,}/g;

/**
 * BPE on one very long "word" (base64, minified data, a run of one letter) is superlinear in its length:
 * 64 KiB of "x" took 4 s, long enough to stall every request on the event loop. Such runs are counted in
 * 128-character slices (a token more or less at each cut), and past 16 KiB of them per text, estimated on
 * the high side. Ordinary text, whose words are short, is counted whole and exactly.
 */
function bounded(count: Counter): Counter {
  return (text) => {
    if (text.length <= LONG_RUN) return count(text);
    LONG_RUNS.lastIndex = 0;
    if (!LONG_RUNS.test(text)) return count(text);
    let tokens = 0;
    let budget = EXACT_RUN_BUDGET;
    const rest = text.replace(LONG_RUNS, (run) => {
      for (let start = 0; start < run.length; start += RUN_SLICE) {
        const slice = run.slice(start, start + RUN_SLICE);
        if (budget > 0) {
          tokens += count(slice);
          budget -= slice.length;
        } else {
          tokens += Math.ceil(slice.length * ESTIMATED_TOKENS_PER_CHAR);
        }
      }
      return ' ';
    });
    return tokens + count(rest);
  };
}

const o200k: Counter = memoized(bounded((text) => countO200k(text, TEXT_ONLY)));
const cl100k: Counter = memoized(bounded((text) => countCl100k(text, TEXT_ONLY)));

/** OpenAI chat framing: every message costs 3 tokens, a name 1 more, and the reply is primed with 3. */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;
/** What OpenAI charges for an image at low detail; the worst case of a high-detail image is not knowable from the URL. */
const IMAGE_TOKENS = 85;

const CL100K_MODELS = /^(gpt-3\.5|gpt-4(-|$)|text-embedding-)/;

/** cl100k_base for the GPT-3.5/GPT-4 generation and OpenAI embeddings, o200k_base for gpt-4o, o-series, gpt-4.1/5 and everything unknown. */
export function counterFor(model: string): Counter {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  return CL100K_MODELS.test(name) ? cl100k : o200k;
}

function contentText(content: string | ContentPart[] | null): { text: string; images: number } {
  if (content === null) return { text: '', images: 0 };
  if (typeof content === 'string') return { text: content, images: 0 };
  let text = '';
  let images = 0;
  for (const part of content) {
    if (part.type === 'text') text += part.text;
    else images++;
  }
  return { text, images };
}

function messageTokens(message: ChatMessage, count: Counter): number {
  const { text, images } = contentText(message.content);
  let tokens = TOKENS_PER_MESSAGE + count(message.role) + count(text) + images * IMAGE_TOKENS;
  if (message.name) tokens += TOKENS_PER_NAME + count(message.name);
  if (message.reasoning) tokens += count(message.reasoning);
  for (const call of message.toolCalls ?? []) tokens += count(call.name) + count(call.arguments) + TOKENS_PER_MESSAGE;
  if (message.toolCallId) tokens += count(message.toolCallId);
  return tokens;
}

/** Tool definitions are rendered into the prompt by the upstream; their JSON text is a close upper estimate. */
function toolsTokens(tools: readonly ToolDefinition[], count: Counter): number {
  if (tools.length === 0) return 0;
  return tools.reduce((sum, tool) => sum + count(JSON.stringify(tool)), 0);
}

/** Prompt tokens of a canonical chat request, as OpenAI counts them for chat completions. */
export function countPromptTokens(request: Pick<ChatRequest, 'messages' | 'tools'>, model: string): number {
  const count = counterFor(model);
  let tokens = REPLY_PRIMING;
  for (const message of request.messages) tokens += messageTokens(message, count);
  return tokens + toolsTokens(request.tools ?? [], count);
}

/** Tokens of generated text (content, reasoning and tool arguments concatenated). */
export function countTextTokens(text: string, model: string): number {
  return counterFor(model)(text);
}

/** Input tokens of an embeddings request; token-id arrays are counted as given. */
export function countEmbeddingsTokens(input: string | string[] | number[] | number[][], model: string): number {
  const count = counterFor(model);
  if (typeof input === 'string') return count(input);
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') tokens += count(item);
    else if (typeof item === 'number') tokens += 1;
    else tokens += item.length;
  }
  return tokens;
}

/**
 * An upper bound on `countText` for one text, without running BPE: its UTF-8 length in bytes.
 *
 * Why it holds: cl100k_base and o200k_base are byte-level BPE. The text is encoded to UTF-8 and every
 * token stands for a non-empty run of those bytes, the runs concatenating back to exactly the text's
 * bytes; so a text of B bytes is never more than B tokens. Two details of `bounded` above keep it so:
 * a long run counted in slices may cut a surrogate pair, and each half then encodes as U+FFFD (3 bytes
 * instead of 2 each side of the cut), hence 2 more per slice; and the estimate past the exact budget
 * (0.75 per UTF-16 unit) is below one per unit, while every unit is at least one UTF-8 byte.
 * The same holds for the byte-level BPE of other families (Qwen, DeepSeek, Llama 3) and for SentencePiece
 * with byte fallback (a piece is at least one character); see docs/economy.md.
 */
function textTokenBound(text: string): number {
  if (text.length === 0) return 0;
  const bytes = Buffer.byteLength(text, 'utf8');
  return text.length > LONG_RUN ? bytes + 2 * Math.ceil(text.length / RUN_SLICE) : bytes;
}

function messageTokenBound(message: ChatMessage): number {
  // The same text as `messageTokens` counts (parts joined), so the bound is taken over the same slices.
  const { text, images } = typeof message.content === 'string' ? { text: message.content, images: 0 } : contentText(message.content);
  let tokens = TOKENS_PER_MESSAGE + textTokenBound(message.role) + textTokenBound(text) + images * IMAGE_TOKENS;
  if (message.name) tokens += TOKENS_PER_NAME + textTokenBound(message.name);
  if (message.reasoning) tokens += textTokenBound(message.reasoning);
  for (const call of message.toolCalls ?? []) tokens += textTokenBound(call.name) + textTokenBound(call.arguments) + TOKENS_PER_MESSAGE;
  if (message.toolCallId) tokens += textTokenBound(message.toolCallId);
  return tokens;
}

/**
 * Never less than `countPromptTokens` for the same request and any model (see `textTokenBound`), at the
 * cost of a byte count: what admission reserves, so budgets stay exact without running BPE on every
 * prompt. The exact count runs only when the upstream reports no usage.
 */
export function promptTokenBound(request: Pick<ChatRequest, 'messages' | 'tools'>): number {
  let tokens = REPLY_PRIMING;
  for (const message of request.messages) tokens += messageTokenBound(message);
  for (const tool of request.tools ?? []) tokens += textTokenBound(JSON.stringify(tool));
  return tokens;
}

/** Never less than `countEmbeddingsTokens` for the same input and any model. */
export function embeddingsTokenBound(input: string | string[] | number[] | number[][]): number {
  if (typeof input === 'string') return textTokenBound(input);
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') tokens += textTokenBound(item);
    else if (typeof item === 'number') tokens += 1;
    else tokens += item.length;
  }
  return tokens;
}
