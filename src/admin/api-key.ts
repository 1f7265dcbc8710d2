/** The API key of a request: `Authorization: Bearer …` or `x-api-key` (one reading for identity and the admin API). */
export { apiKeyOf } from '../identity/index.js';
