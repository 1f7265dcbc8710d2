/**
 * Canonical tool arguments are the JSON text the model wrote; Anthropic carries the parsed object.
 * Text that is not a JSON object becomes `{}`, since Anthropic refuses any other `input`.
 */
export function parseToolArguments(argumentsText: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(argumentsText);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not JSON: fall through
  }
  return {};
}
