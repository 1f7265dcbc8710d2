/**
 * The site-builder app: a digital employee that makes a small business's website.
 *
 * - the intake form (`siteIntakeSchema`, `readIntake`: defaults, English and Chinese, what is still missing);
 * - the plan and the owner's one-page solution document (`sitePlanSchema`), as HTML and as PDF (`solutionPdf`,
 *   Chinese set in Debian's WenQuanYi Zen Hei when installed);
 * - the checks every build must pass before it is published (`checkSite`: html-validate, title, description,
 *   `lang`, alt text, nothing external, axe-core in Chromium — reported `not_run` without one, never passed);
 * - the installer `SiteBuilderApp` (a builder agent and the `site-builder` workflow of workflow.yaml: intake →
 *   questions for the answers left blank (`mergeAnswers`) → plan → approval, with an edited plan checked by
 *   `readEditedPlan` → build/check rounds → publish), its tools, and the build's cost from the ledger;
 * - the owner's routes `/v1/apps/site-builder/runs/{run}/approval` and `…/cost` (`siteBuildRoutes`), and the
 *   public routes `/sites/{tenant}/{slug}/…` (`siteRoutes`) with a strict Content-Security-Policy.
 */
export {
  type CheckName,
  type CheckResult,
  checkSite,
  contentTypeOf,
  type SiteCheckOptions,
  type SiteCheckReport,
  type SiteProblem,
} from './checks.js';
export { DEMO_INTAKE, DEMO_PLAN, demoScript, demoSiteFiles } from './demo-site.js';
export {
  type AnsweredIntake,
  type IntakeOutcome,
  type MissingAnswer,
  mergeAnswers,
  OWNER_QUESTIONS_JSON_SCHEMA,
  readIntake,
  SITE_LANGUAGES,
  SITE_TONES,
  type SiteIntake,
  type SiteIntakeInput,
  type SiteLanguage,
  siteIntakeSchema,
  slugOf,
} from './intake.js';
export { openApiPaths as siteBuilderApiPaths } from './openapi-paths.js';
export { type EditedPlanOutcome, readEditedPlan, type SettledPlan, settlePlan } from './plan-edit.js';
export { planApprovalBody, siteBuildRoutes } from './routes/build-routes.js';
export { SITE_CSP, siteRoutes } from './routes/site-routes.js';
export {
  draftSandboxId,
  type PlanDecision,
  SITE_BUILDER_APP,
  type SiteBuildCostView,
  SiteBuilderApp,
  type SiteBuilderInstallation,
  type SiteBuilderInstallRequest,
  siteBuilderWorkflow,
  siteToolRef,
} from './site-builder-app.js';
export { SITE_PLAN_JSON_SCHEMA, type SitePlan, type SolutionDocument, sitePlanSchema, solutionHtml, solutionPdf } from './solution.js';
