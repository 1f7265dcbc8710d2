import type { SandboxLimitsConfig } from '../config/index.js';
import { HubError } from '../core/index.js';

export const CODE_LANGUAGES = ['javascript', 'python'] as const;
export type CodeLanguage = (typeof CODE_LANGUAGES)[number];

export const SANDBOX_TEMPLATES = ['code', 'files'] as const;
export type SandboxTemplate = (typeof SANDBOX_TEMPLATES)[number];

export type SandboxLimits = SandboxLimitsConfig;
export const LIMIT_NAMES = [
  'cpu_ms',
  'memory_mb',
  'output_bytes',
  'storage_bytes',
  'max_files',
] as const satisfies readonly (keyof SandboxLimits)[];

/**
 * A sandbox's limits: the operator's defaults, lowered where the request asks. A request above the operator's
 * maximum is refused (400 naming the limit), never clamped.
 */
export function effectiveLimits(
  requested: Partial<SandboxLimits> | undefined,
  defaults: SandboxLimits,
  maximum: SandboxLimits,
): SandboxLimits {
  const limits = { ...defaults };
  for (const name of LIMIT_NAMES) {
    const value = requested?.[name];
    if (value === undefined) continue;
    if (value > maximum[name]) {
      throw new HubError('INVALID_REQUEST', `limits.${name} may be at most ${maximum[name]} on this hub (asked: ${value}).`, {
        param: `limits.${name}`,
        code: 'limit_too_high',
      });
    }
    limits[name] = value;
  }
  return limits;
}
