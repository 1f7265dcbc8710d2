import { HubError } from '../../core/index.js';

/**
 * A request feature that only an upstream speaking the Responses API natively can honour (hosted
 * tools, file inputs, stored prompts…). Translation collects these instead of throwing at once: the
 * surface forwards such a request to a native upstream when the model has one, and refuses it with a
 * 400 naming the feature otherwise — never drops it silently.
 */
export interface UnsupportedFeature {
  /** Human name of the feature, e.g. `hosted tool 'web_search'`. */
  feature: string;
  /** Request field at fault, e.g. `tools[1]`. */
  param: string;
}

export function unsupportedFeatureError(feature: UnsupportedFeature, model: string): HubError {
  return new HubError(
    'UNSUPPORTED_FEATURE',
    `${feature.feature} is not supported for model '${model}': its provider does not serve the Responses API natively, and TokenHub cannot emulate this feature.`,
    { param: feature.param, code: 'unsupported_feature' },
  );
}
