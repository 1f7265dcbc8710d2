/**
 * The token economy's facade: authentication of API keys, admission (rate limits, budget reservations)
 * and settlement (metering into the journal and ledger).
 */
export { generateAdminKey, hashSecret, secretMatchesHash } from './admin-key.js';
export type { Admission, AdmissionRequest, EconomyGate, Principal, SettlementOutcome } from './contract.js';
export { createAdminKeyGate } from './open-gate.js';
