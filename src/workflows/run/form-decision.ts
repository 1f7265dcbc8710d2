import { z } from 'zod';
import { HubError } from '../../core/index.js';
import type { RunRecord } from '../../storage/index.js';
import { fieldSchema } from '../document.js';
import { WORKFLOW_RUN_KIND } from './child-steps.js';
import { readForm } from './pause-steps.js';
import { loadWorkflowRunState } from './run-input.js';

/** A person's decision on a human step, as the decisions route and the inbox submit it. */
export interface HumanDecision {
  callId: string;
  decision: 'approve' | 'reject';
  values?: Record<string, unknown>;
}

// The form as the step put it on the pending call when it paused: what the person was shown.
const pendingForm = z.object({ mode: z.literal('form'), fields: z.array(fieldSchema) });

/**
 * Refuses a form step's answer before the decision is stored, by the check the step applies when the run resumes
 * (`readForm`): a 400 `invalid_form` naming the field (`values.<name>`), the step left open. A rejection carries no
 * values (the step's output has `values: {}`), and a run or call that no longer waits is left to `decide` to refuse.
 */
export function checkHumanDecision(run: RunRecord, decision: HumanDecision): void {
  if (run.kind !== WORKFLOW_RUN_KIND || decision.decision !== 'approve') return;
  const pending = loadWorkflowRunState(run.state).pending_approvals.find((call) => call.call_id === decision.callId);
  const form = pendingForm.safeParse(pending?.arguments);
  if (!form.success) return;
  const read = readForm(form.data.fields, decision.values ?? {});
  if ('problem' in read) {
    throw new HubError('INVALID_REQUEST', `Invalid values.${read.field}: the form's field ${read.field} ${read.problem}.`, {
      param: `values.${read.field}`,
      code: 'invalid_form',
    });
  }
}
