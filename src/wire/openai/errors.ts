import type { HubError } from '../../core/index.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openaiErrorBody(error: HubError): OpenAIErrorBody {
  return {
    error: {
      message: error.message,
      type: error.spec.openaiType,
      param: error.details.param ?? null,
      code: error.details.code ?? error.code.toLowerCase(),
    },
  };
}
