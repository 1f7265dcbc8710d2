import { type SitePlan, sitePlanSchema } from './solution.js';

/** How large an edited plan may be, as JSON text (the drafted plan of a big site is well under it). */
export const MAX_EDITED_PLAN_BYTES = 200_000;

export interface PlanProblem {
  /** Where in the plan (`pages.0.title`), or `(plan)` for the whole. */
  path: string;
  message: string;
}

export type EditedPlanOutcome = { ok: true; plan: SitePlan } | { ok: false; problems: PlanProblem[] };

/** An edited plan as the owner gives it, an object or its JSON text, checked against the plan step's schema. */
export function readEditedPlan(edited: unknown): EditedPlanOutcome {
  let value = edited;
  if (typeof edited === 'string') {
    if (Buffer.byteLength(edited, 'utf8') > MAX_EDITED_PLAN_BYTES) {
      return { ok: false, problems: [{ path: '(plan)', message: `is longer than ${MAX_EDITED_PLAN_BYTES} bytes` }] };
    }
    try {
      value = JSON.parse(edited);
    } catch (error) {
      return { ok: false, problems: [{ path: '(plan)', message: `is not JSON (${(error as Error).message})` }] };
    }
  }
  const parsed = sitePlanSchema.safeParse(value);
  if (parsed.success) return { ok: true, plan: parsed.data };
  return { ok: false, problems: issuesOf(parsed.error) };
}

const issuesOf = (error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): PlanProblem[] =>
  error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(plan)', message: issue.message }));

export const describeProblems = (problems: readonly PlanProblem[]): string =>
  problems
    .slice(0, 5)
    .map((problem) => `${problem.path}: ${problem.message}`)
    .join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');

/** What the approval settled: the plan the build follows, the drafted one or the owner's edit; `ok: false` asks again. */
export interface SettledPlan {
  ok: boolean;
  approved: boolean;
  edited: boolean;
  plan: SitePlan | null;
  /** Why an edit could not be used (the owner is asked again with it). */
  problems: string | null;
}

/** The approval step's answer read: rejected, approved as drafted, or approved with an edited plan that replaces it. */
export function settlePlan(drafted: unknown, approval: { approved?: unknown; values?: unknown } | null | undefined): SettledPlan {
  const draft = sitePlanSchema.safeParse(drafted);
  const approved = approval?.approved === true;
  const values = (approval?.values ?? {}) as Record<string, unknown>;
  const edit = values.plan;
  if (!approved) return { ok: true, approved: false, edited: false, plan: draft.success ? draft.data : null, problems: null };
  if (edit === undefined || edit === null || (typeof edit === 'string' && edit.trim() === '')) {
    if (draft.success) return { ok: true, approved, edited: false, plan: draft.data, problems: null };
    return {
      ok: false,
      approved,
      edited: false,
      plan: null,
      problems: `the drafted plan is not valid: ${describeProblems(issuesOf(draft.error))}`,
    };
  }
  const read = readEditedPlan(edit);
  if (read.ok) return { ok: true, approved, edited: true, plan: read.plan, problems: null };
  return { ok: false, approved, edited: false, plan: draft.success ? draft.data : null, problems: describeProblems(read.problems) };
}
