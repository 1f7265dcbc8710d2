import type { StreamPart, Usage } from '../../core/index.js';
import { countTextTokens } from '../../economy/index.js';

/** Generated text kept uncounted at most; longer streams are counted segment by segment. */
const SEGMENT_CHARS = 64 * 1024;

/**
 * Watches a canonical stream for what settlement needs: the final usage, or else the generated text
 * to count with a tokenizer. Memory stays bounded on long streams: every 64 KiB of text is counted and
 * dropped (a split can shift the count by at most a token per segment boundary).
 */
export class OutputCollector {
  usage: Usage | null = null;
  private pending = '';
  private countedTokens = 0;
  private readonly model: string;

  /** `model`: the served model, which picks the tokenizer. */
  constructor(model: string) {
    this.model = model;
  }

  observe(part: StreamPart): void {
    switch (part.type) {
      case 'text-delta':
      case 'reasoning-delta':
        this.append(part.text);
        break;
      case 'tool-call-start':
        this.append(part.name);
        break;
      case 'tool-call-delta':
        this.append(part.argumentsDelta);
        break;
      case 'usage-final':
        this.usage = part.usage;
        break;
      default:
        break;
    }
  }

  /** What settlement takes: the uncounted rest of the text and the tokens counted so far. */
  output(): { outputText: string; outputTokensCounted: number } {
    return { outputText: this.pending, outputTokensCounted: this.countedTokens };
  }

  private append(text: string): void {
    this.pending += text;
    // Once the upstream has reported usage nothing needs counting; before that, count in segments.
    if (this.pending.length >= SEGMENT_CHARS && this.usage?.source !== 'upstream') {
      this.countedTokens += countTextTokens(this.pending, this.model);
      this.pending = '';
    }
  }
}
