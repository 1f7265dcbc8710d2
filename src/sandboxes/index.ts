/**
 * Sandboxes: compute and files for agents and people, on this hub (`local`: QuickJS and Pyodide in a
 * process per sandbox under Node's permission model) or on E2B, behind one provider interface; limits on
 * CPU time, memory, output and storage; CPU time and storage billed on the ledger like tokens.
 */

export { E2BSandboxProvider, type E2BSandboxProviderOptions } from './e2b/e2b-provider.js';
export {
  CODE_LANGUAGES,
  type CodeLanguage,
  effectiveLimits,
  SANDBOX_TEMPLATES,
  type SandboxLimits,
  type SandboxTemplate,
} from './limits.js';
export { LocalSandboxProvider } from './local/local-provider.js';
export { sandboxApiPaths } from './openapi-paths.js';
export { sandboxPath, sandboxPathProblem } from './paths.js';
export type { CodeResult, GuestError, ProviderSandbox, SandboxFetch, SandboxFetchAnswer, SandboxProvider } from './provider.js';
export { type AuthenticateSandboxCaller, MAX_CODE_BYTES, sandboxRoutes } from './routes/sandbox-routes.js';
export { codeResultDto, fileDto, sandboxDto, workspaceDto } from './sandbox-dto.js';
export { SandboxReclaimer } from './sandbox-reclaimer.js';
export { type CodeRunOutcome, type CreateSandbox, type SandboxCaller, SandboxService, type SandboxServiceDeps } from './sandbox-service.js';
