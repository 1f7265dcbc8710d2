import type { StreamPart, Usage } from '../../core/index.js';

/**
 * Watches a canonical stream for what settlement needs: the final usage, or else the generated text
 * to count with a tokenizer.
 */
export class OutputCollector {
  usage: Usage | null = null;
  private readonly pieces: string[] = [];

  observe(part: StreamPart): void {
    switch (part.type) {
      case 'text-delta':
      case 'reasoning-delta':
        this.pieces.push(part.text);
        break;
      case 'tool-call-start':
        this.pieces.push(part.name);
        break;
      case 'tool-call-delta':
        this.pieces.push(part.argumentsDelta);
        break;
      case 'usage-final':
        this.usage = part.usage;
        break;
      default:
        break;
    }
  }

  text(): string {
    return this.pieces.join('');
  }
}
