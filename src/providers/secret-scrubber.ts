/**
 * Takes the secrets a provider sends upstream (its API key, its configured header values) out of what
 * the upstream sends back. An upstream that echoes the credentials it received, in an error message or
 * a stream event, would otherwise hand them to the tenant and to the hub's logs; scrubbing at the
 * provider boundary covers every surface, error path and log line at once.
 */
export const REDACTED = '[redacted]';

/** Shorter values are no real credential, and scrubbing them ("none", "EMPTY") would mangle ordinary text. */
const MIN_SECRET_LENGTH = 8;

const EMPTY = new Uint8Array(0);

export class SecretScrubber {
  /** Longest first, so a header value that contains the API key (`Bearer sk-…`) goes whole. */
  private readonly secrets: string[];
  private readonly encoded: Buffer[];
  private readonly replacement = Buffer.from(REDACTED);

  constructor(secrets: Iterable<string | undefined>) {
    const distinct = new Set<string>();
    for (const secret of secrets) if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) distinct.add(secret);
    this.secrets = [...distinct].sort((a, b) => b.length - a.length);
    this.encoded = this.secrets.map((secret) => Buffer.from(secret));
  }

  /** Whether there is anything to scrub (a provider without credentials passes bodies through untouched). */
  get active(): boolean {
    return this.secrets.length > 0;
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    return out;
  }

  /**
   * Scrubs a body as it streams. A chunk's tail that could be the start of a secret is held back until the
   * next chunk shows whether it is one, so a secret split across reads is still caught; anything else goes
   * on at once (an SSE event ends in a line break, which starts no secret).
   */
  async *stream(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    let held: Uint8Array = EMPTY;
    for await (const chunk of body) {
      const joined = held.length > 0 ? Buffer.concat([held, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const scrubbed = this.replaceAll(joined);
      const keep = this.partialSecretAtEnd(scrubbed);
      // Copied: the held bytes must outlive the chunk they came from.
      held = keep > 0 ? Buffer.from(scrubbed.subarray(scrubbed.length - keep)) : EMPTY;
      if (scrubbed.length > keep) yield keep > 0 ? scrubbed.subarray(0, scrubbed.length - keep) : scrubbed;
    }
    if (held.length > 0) yield held;
  }

  private replaceAll(data: Buffer): Buffer {
    let out = data;
    for (const secret of this.encoded) {
      let at = out.indexOf(secret);
      if (at === -1) continue;
      const parts: Buffer[] = [];
      let from = 0;
      while (at !== -1) {
        parts.push(out.subarray(from, at), this.replacement);
        from = at + secret.length;
        at = out.indexOf(secret, from);
      }
      parts.push(out.subarray(from));
      out = Buffer.concat(parts);
    }
    return out;
  }

  /** Length of the longest tail of `data` that is a proper prefix of some secret (0: none). */
  private partialSecretAtEnd(data: Buffer): number {
    let longest = 0;
    for (const secret of this.encoded) {
      const first = secret[0];
      if (first === undefined) continue;
      // Candidates start within the last `secret.length - 1` bytes, earliest (longest) first.
      for (let at = data.indexOf(first, Math.max(0, data.length - secret.length + 1)); at !== -1; at = data.indexOf(first, at + 1)) {
        const tail = data.length - at;
        if (tail <= longest) break;
        if (data.subarray(at).equals(secret.subarray(0, tail))) {
          longest = tail;
          break;
        }
      }
    }
    return longest;
  }
}
