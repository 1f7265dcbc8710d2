/**
 * Evals: τ²-bench's way of measuring an agent, on the hub itself.
 *
 * - suites: files of tasks in τ²'s task format (`loadSuite`; `tau-retail` is τ²'s retail training split);
 * - the user simulator: a model called through the hub, given a task's scenario, ending with `###STOP###`;
 * - trials: each task × trial on its own installation of the support app (a fresh store), the simulator and
 *   the agent alternating on a thread (`runTrial`); rewards as τ²'s: the DB hash, the outputs, transfers;
 * - reports: pass^k (τ-bench's estimator), cost per success from the ledger, hand-off rate, failures by tool
 *   and by policy rule, as JSON, Markdown and an SVG chart (`runEval`, `writeReport`);
 * - gating (`gateDecision`, `activateAgent`), new cases from real conversations (`caseFromThread`), and the
 *   oracle conversation that performs a task's expected actions within the policy (`oracleConversation`).
 *
 * Everything goes through the hub's HTTP APIs (`EvalTarget`: URL and admin key), so an eval measures a
 * running hub exactly as its customers use it, and every token it spends is admitted and billed.
 */
export { appendCase, caseFromThread } from './add-case.js';
export { type AgentUnderTest, describeAgent, parseAgentUnderTest } from './agent-under-test.js';
export { EvalRunError } from './eval-run-error.js';
export { activateAgent, type GateDecision, gateDecision, readReport } from './gate.js';
export { EvalHubClient, type EvalTarget } from './hub-client.js';
export { ORACLE_YES, type OracleStep, type OracleTurn, oracleConversation, statementOf } from './oracle.js';
export { passHatK, passHatKs } from './pass-k.js';
export { buildReport, type EvalReport, passHatKSvg, reportMarkdown, writeReport } from './report.js';
export { type RunEvalOptions, runEval } from './run-eval.js';
export { DEFAULT_SUITE_PATHS, type EvalSuite, type EvalTask, loadSuite, selectTasks, suitePaths } from './suite.js';
export { rewardOf, runTrial, type TrialResult } from './trial.js';
export { AGENT_GREETING, STOP, simulatorSystemPrompt } from './user-simulator.js';
