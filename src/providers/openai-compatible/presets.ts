/**
 * Vendor presets for OpenAI-compatible upstreams: the default base URL and the wire quirks of each.
 * A preset is data, not code; adding a vendor is adding an entry.
 */
export interface OpenAICompatiblePreset {
  /** Default base URL (ends with the API version path, e.g. `/v1`). */
  baseUrl: string;
  /** Whether the upstream honours `stream_options.include_usage`. */
  streamUsage: boolean;
  /** Whether it serves `/embeddings`. */
  embeddings: boolean;
  /** Whether it serves the legacy `/completions`. */
  completions: boolean;
  /** Whether it serves `/responses` natively. */
  responses: boolean;
  /** Extra headers every request carries. */
  headers?: Record<string, string>;
}

const preset = (baseUrl: string, overrides: Partial<OpenAICompatiblePreset> = {}): OpenAICompatiblePreset => ({
  baseUrl,
  streamUsage: true,
  embeddings: true,
  completions: true,
  responses: false,
  ...overrides,
});

export const OPENAI_COMPATIBLE_PRESETS: Record<string, OpenAICompatiblePreset> = {
  openai: preset('https://api.openai.com/v1', { responses: true }),
  azure: preset('https://example.openai.azure.com/openai/v1', { responses: true }),
  // Qwen via DashScope's OpenAI-compatible mode.
  dashscope: preset('https://dashscope.aliyuncs.com/compatible-mode/v1', { completions: false }),
  deepseek: preset('https://api.deepseek.com/v1', { embeddings: false }),
  vllm: preset('http://127.0.0.1:8000/v1'),
  sglang: preset('http://127.0.0.1:30000/v1'),
  ollama: preset('http://127.0.0.1:11434/v1'),
  llamacpp: preset('http://127.0.0.1:8080/v1'),
  openrouter: preset('https://openrouter.ai/api/v1', { embeddings: false }),
  groq: preset('https://api.groq.com/openai/v1', { embeddings: false, completions: false }),
  together: preset('https://api.together.xyz/v1'),
  mistral: preset('https://api.mistral.ai/v1', { completions: false }),
  fireworks: preset('https://api.fireworks.ai/inference/v1'),
};

export const GENERIC_PRESET: Omit<OpenAICompatiblePreset, 'baseUrl'> = {
  streamUsage: true,
  embeddings: true,
  completions: true,
  responses: false,
};
