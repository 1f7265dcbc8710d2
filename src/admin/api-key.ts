/** The API key of a request: `Authorization: Bearer …` or `x-api-key`. */
export function apiKeyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  const xApiKey = headers['x-api-key'];
  return typeof xApiKey === 'string' && xApiKey.length > 0 ? xApiKey.trim() : undefined;
}
