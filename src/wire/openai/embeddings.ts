import { z } from 'zod';

export const openaiEmbeddingsRequestSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([
      z.string(),
      z.array(z.string()).min(1).max(2048),
      z.array(z.number().int()).min(1),
      z.array(z.array(z.number().int()).min(1)).min(1).max(2048),
    ]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
  })
  .passthrough();

export type OpenAIEmbeddingsRequest = z.infer<typeof openaiEmbeddingsRequestSchema>;

export interface OpenAIEmbeddingsResponse {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/**
 * An embedding in the encoding the client asked for, whatever the upstream sent: `base64` is the vector's
 * float32 little-endian bytes (what OpenAI sends, and what its SDKs ask for by default and decode), `float`
 * (the default) a number array. Upstreams that ignore `encoding_format` would otherwise hand the SDK a
 * number array to base64-decode.
 */
export function encodeEmbedding(embedding: number[] | string, format: 'float' | 'base64' | undefined): number[] | string {
  if (format === 'base64') return typeof embedding === 'string' ? embedding : float32Base64(embedding);
  return embeddingVector(embedding);
}

/** An embedding as its number array, whichever encoding it came in. */
export function embeddingVector(embedding: number[] | string): number[] {
  return typeof embedding === 'string' ? base64Float32(embedding) : embedding;
}

function float32Base64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let index = 0; index < vector.length; index++) bytes.writeFloatLE(vector[index] ?? 0, index * 4);
  return bytes.toString('base64');
}

function base64Float32(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  const vector = new Array<number>(Math.floor(bytes.length / 4));
  for (let index = 0; index < vector.length; index++) vector[index] = bytes.readFloatLE(index * 4);
  return vector;
}
