/**
 * One rule on every surface: a response's `model` is the name the client asked for, and the hub model
 * that served it (a fallback when one did) travels in the `x-tokenhub-model` header, sent with the
 * status line, before any streamed byte. Translated answers are built with the requested name; pass-through
 * bodies carry the upstream's id, which `ModelFieldRewriter` replaces in place without parsing the JSON.
 */

export const SERVED_MODEL_HEADER = 'x-tokenhub-model';

const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** The served-model header; a name a header cannot carry as is (spaces, non-ASCII) is percent-encoded. */
export function servedModelHeaders(servedModel: string): Record<string, string> {
  return { [SERVED_MODEL_HEADER]: HEADER_SAFE.test(servedModel) ? servedModel : encodeURIComponent(servedModel) };
}

/**
 * The first `"model":"…"` member of a JSON text. Members named `model` inside string values are escaped
 * (`\"model\"`) and never match; objects put `model` ahead of any nested user data (chat completion and
 * chunk, Anthropic message and `message_start`, Response object).
 */
const MODEL_FIELD = /"model"\s*:\s*"(?:[^"\\]|\\.)*"/;

/**
 * Rewrites the `model` member of pass-through payloads to the requested name. The member as the upstream
 * wrote it is remembered from the first payload, so later chunks cost one `indexOf`, not a regex or a parse.
 */
export class ModelFieldRewriter {
  private readonly replacement: string;
  private seen: string | null = null;

  constructor(requestedModel: string) {
    this.replacement = `"model":${JSON.stringify(requestedModel)}`;
  }

  rewrite(text: string): string {
    if (this.seen === this.replacement) return text;
    if (this.seen !== null) {
      const at = text.indexOf(this.seen);
      if (at >= 0) return this.splice(text, at, this.seen.length);
    }
    const match = MODEL_FIELD.exec(text);
    if (!match) return text;
    this.seen = match[0];
    return match[0] === this.replacement ? text : this.splice(text, match.index, match[0].length);
  }

  private splice(text: string, at: number, length: number): string {
    return text.slice(0, at) + this.replacement + text.slice(at + length);
  }
}

/** A whole pass-through JSON body with its `model` member naming the requested model. */
export const withRequestedModel = (text: string, requestedModel: string): string => new ModelFieldRewriter(requestedModel).rewrite(text);
