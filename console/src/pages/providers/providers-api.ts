import type {
  CreateModelRequest,
  CreateProviderRequest,
  ListResponse,
  ModelPricing,
  ProviderDraftTestRequest,
  ProviderHealth,
  ProviderTestResult,
  RoutedModel,
  UpdateModelRequest,
  UpdateProviderRequest,
  UpstreamProvider,
} from '@contract';
import { api } from '../../api/client';

/** The hub admin's providers and routed models (`/admin/v1/providers`, `/admin/v1/models`): this page is shown in admin mode only. */
export const providersKey = ['providers', 'list'] as const;
export const modelsKey = ['providers', 'models'] as const;
export const healthKey = (id: string) => ['providers', 'health', id] as const;

const path = (id: string) => `/admin/v1/providers/${encodeURIComponent(id)}`;
// Model names may hold slashes (`qwen/qwen-2.5`): the hub's route takes them encoded.
const modelPath = (name: string) => `/admin/v1/models/${encodeURIComponent(name)}`;

export const listProviders = () => api<ListResponse<UpstreamProvider>>('/admin/v1/providers');
export const providerHealth = (id: string) => api<ProviderHealth>(`${path(id)}/health`);
export const createProvider = (body: CreateProviderRequest) => api<UpstreamProvider>('/admin/v1/providers', { method: 'POST', body });
export const updateProvider = (id: string, body: UpdateProviderRequest) => api<UpstreamProvider>(path(id), { method: 'PATCH', body });
export const deleteProvider = (id: string) => api<UpstreamProvider>(path(id), { method: 'DELETE' });
export const testProvider = (id: string, model?: string) =>
  api<ProviderTestResult>(`${path(id)}/test`, { method: 'POST', body: model ? { model } : {} });
export const testDraft = (body: ProviderDraftTestRequest) => api<ProviderTestResult>('/admin/v1/providers/test', { method: 'POST', body });

export const listModels = () => api<ListResponse<RoutedModel>>('/admin/v1/models');
export const createModel = (body: CreateModelRequest) => api<RoutedModel>('/admin/v1/models', { method: 'POST', body });
export const updateModel = (name: string, body: UpdateModelRequest) => api<RoutedModel>(modelPath(name), { method: 'PATCH', body });
export const deleteModel = (name: string) => api<RoutedModel>(modelPath(name), { method: 'DELETE' });

/** The OpenAI-compatible vendor presets the hub knows (`providers/openai-compatible/presets.ts`), each with its default base URL. */
export const PRESETS: readonly { id: string; baseUrl: string }[] = [
  { id: 'openai', baseUrl: 'https://api.openai.com/v1' },
  { id: 'azure', baseUrl: 'https://example.openai.azure.com/openai/v1' },
  { id: 'dashscope', baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1' },
  { id: 'deepseek', baseUrl: 'https://api.deepseek.com/v1' },
  { id: 'openrouter', baseUrl: 'https://openrouter.ai/api/v1' },
  { id: 'groq', baseUrl: 'https://api.groq.com/openai/v1' },
  { id: 'together', baseUrl: 'https://api.together.xyz/v1' },
  { id: 'mistral', baseUrl: 'https://api.mistral.ai/v1' },
  { id: 'fireworks', baseUrl: 'https://api.fireworks.ai/inference/v1' },
  { id: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1' },
  { id: 'sglang', baseUrl: 'http://127.0.0.1:30000/v1' },
  { id: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1' },
  { id: 'llamacpp', baseUrl: 'http://127.0.0.1:8080/v1' },
];

export const PRICE_FIELDS = ['input_per_mtok', 'output_per_mtok', 'cached_input_per_mtok', 'cache_write_per_mtok'] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

/** A price as the hub holds it: a decimal string (a JSON number from the config file is shown as written). */
export const priceText = (pricing: ModelPricing | null, field: PriceField): string => {
  const value = pricing?.[field];
  return value === undefined ? '' : String(value);
};

/** Decimal USD per million tokens, as typed: digits with an optional fraction (kept as a string, never a float). */
export const isPrice = (text: string): boolean => /^\d{1,9}(\.\d{1,12})?$/.test(text.trim());
