import { describe, expect, it } from 'vitest';
import { DEMO_PLAN } from './demo-site.js';
import { readEditedPlan, settlePlan } from './plan-edit.js';

describe('an edited plan', () => {
  it('is read as an object or as JSON text, and names the place of each problem', () => {
    expect(readEditedPlan(DEMO_PLAN)).toEqual({ ok: true, plan: DEMO_PLAN });
    expect(readEditedPlan(JSON.stringify(DEMO_PLAN))).toEqual({ ok: true, plan: DEMO_PLAN });
    const blank = structuredClone(DEMO_PLAN);
    blank.pages[1]!.sections = [];
    expect(readEditedPlan(blank)).toMatchObject({ ok: false, problems: [{ path: 'pages.1.sections' }] });
    expect(readEditedPlan('{"pages":')).toMatchObject({
      ok: false,
      problems: [{ path: '(plan)', message: expect.stringContaining('not JSON') }],
    });
    expect(readEditedPlan('x'.repeat(200_001))).toMatchObject({ ok: false, problems: [{ path: '(plan)' }] });
  });

  it('settles the approval: the draft, the valid edit replacing it, an invalid edit asked again, a rejection', () => {
    const edited = { ...DEMO_PLAN, solution: { ...DEMO_PLAN.solution, title: 'Edited' } };
    expect(settlePlan(DEMO_PLAN, { approved: true, values: { changes: '', plan: '' } })).toEqual({
      ok: true,
      approved: true,
      edited: false,
      plan: DEMO_PLAN,
      problems: null,
    });
    expect(settlePlan(DEMO_PLAN, { approved: true, values: { plan: JSON.stringify(edited) } })).toMatchObject({
      ok: true,
      edited: true,
      plan: { solution: { title: 'Edited' } },
    });
    expect(settlePlan(DEMO_PLAN, { approved: true, values: { plan: '{"pages": []}' } })).toMatchObject({
      ok: false,
      approved: true,
      problems: expect.stringContaining('pages'),
    });
    expect(settlePlan(DEMO_PLAN, { approved: false, values: {} })).toMatchObject({ ok: true, approved: false, edited: false });
  });
});
