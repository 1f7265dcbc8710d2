import { readFile } from 'node:fs/promises';
import { EvalRunError } from './eval-run-error.js';
import type { EvalHubClient, Json } from './hub-client.js';
import type { EvalReport } from './report.js';

export interface GateDecision {
  pass: boolean;
  pass1: number;
  minPass1: number;
  message: string;
}

/** Whether a report clears the bar: its pass^1 at or above `minPass1`. */
export function gateDecision(report: EvalReport, minPass1: number): GateDecision {
  const pass1 = report.pass_hat_k['1'] ?? 0;
  const pass = pass1 >= minPass1;
  return {
    pass,
    pass1,
    minPass1,
    message: `pass^1 ${pass1.toFixed(3)} ${pass ? '≥' : '<'} ${minPass1} (${report.successes}/${report.trials} trials, ${report.suite}, ${report.agent})`,
  };
}

export async function readReport(path: string): Promise<EvalReport> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new EvalRunError(`cannot read the report ${path}: ${(error as Error).message}`);
  }
  if ((value as Partial<EvalReport> | null)?.object !== 'eval.report')
    throw new EvalRunError(`${path} is not an eval report (report.json).`);
  return value as EvalReport;
}

/** Activates `version` of agent `name` in the tenant (`POST /admin/v1/agents/:name/activate`). */
export async function activateAgent(client: EvalHubClient, tenantId: string, name: string, version: number): Promise<Json> {
  return client.admin<Json>('POST', `/admin/v1/agents/${encodeURIComponent(name)}/activate?tenant_id=${encodeURIComponent(tenantId)}`, {
    version,
  });
}
