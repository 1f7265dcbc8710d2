import { derivedId, HubError, type JsonObject } from '../../core/index.js';
import type { CallAttribution } from '../../economy/index.js';
import type { CodeLanguage, SandboxService } from '../../sandboxes/index.js';
import type { AgentTool, ToolOutcome } from './tool.js';
import type { SandboxToolDefinition } from './tool-definitions.js';

/** How much of a file the model reads at once. */
export const MAX_READ_CHARS = 64 * 1024;
/** How much of a call's output goes back to the model (the rest is cut, and it is told). */
const MAX_RESULT_CHARS = 16 * 1024;

export interface SandboxToolRun {
  tenantId: string;
  runId: string;
  /** The key the run is billed to: the sandbox's time is billed to it too. */
  keyId: string;
  attribution: CallAttribution;
}

/** The run's own sandbox: one id per run and tool definition, so a resumed run, on any replica, finds the same one. */
export const runSandboxId = (runId: string, toolName: string): string => derivedId('sbx', `run:${runId}:${toolName}`);

const clip = (text: string, limit: number): string =>
  text.length > limit ? `${text.slice(0, limit)}\n…[cut at ${limit} characters]` : text;

function failure(error: unknown): ToolOutcome {
  if (error instanceof HubError) return { type: 'error', message: error.message };
  throw error;
}

/** `run_code`, `read_file`, `write_file` on the run's sandbox, made on the first call. */
export function createSandboxTools(definition: SandboxToolDefinition, service: SandboxService, run: SandboxToolRun): AgentTool[] {
  const prefix = definition.name === 'sandbox' ? '' : `${definition.name}_`;
  const id = runSandboxId(run.runId, definition.name);
  const caller = { tenantId: run.tenantId, keyId: run.keyId, attribution: run.attribution };
  let made: Promise<unknown> | undefined;
  const sandbox = async (): Promise<string> => {
    made ??= service
      .create(caller, {
        id,
        ...(definition.keep ? {} : { runId: run.runId }),
        network: definition.network,
        ...(definition.timeout_s !== undefined ? { timeoutS: definition.timeout_s } : {}),
        ...(definition.limits ? { limits: definition.limits } : {}),
        ...(definition.workspace ? { workspace: definition.workspace } : {}),
      })
      .catch((error: unknown) => {
        made = undefined;
        throw error;
      });
    await made;
    return id;
  };
  const languages = definition.languages as CodeLanguage[];

  const runCode: AgentTool = {
    spec: {
      name: `${prefix}run_code`,
      description: `Runs ${languages.join(' or ')} code in your sandbox and returns its stdout, stderr and the value of its last expression. Variables persist between calls; files you write are kept (Python: relative paths; JavaScript: files.read(path), files.write(path, text), files.list()). No network${definition.network ? ' except through fetch, to addresses the hub allows' : ''}.`,
      parameters: {
        type: 'object',
        properties: { language: { type: 'string', enum: languages }, code: { type: 'string', description: 'The code to run.' } },
        required: ['language', 'code'],
        additionalProperties: false,
      },
    },
    approval: definition.approval,
    idempotent: definition.idempotent,
    async invoke(args: JsonObject): Promise<ToolOutcome> {
      try {
        const outcome = await service.runCode(caller, await sandbox(), {
          language: args.language as CodeLanguage,
          code: String(args.code),
        });
        const answer = {
          stdout: outcome.stdout,
          stderr: outcome.stderr,
          result: outcome.result ?? null,
          ...(outcome.error ? { error: outcome.error } : {}),
          ...(outcome.outputTruncated ? { output_truncated: true } : {}),
          ...(outcome.stateReset ? { state_reset: 'the interpreter was restarted: variables are gone, files are kept' } : {}),
          files_changed: Object.keys(outcome.changed),
        };
        return { type: 'result', content: clip(JSON.stringify(answer), MAX_RESULT_CHARS) };
      } catch (error) {
        return failure(error);
      }
    },
  };

  const readFile: AgentTool = {
    spec: {
      name: `${prefix}read_file`,
      description: 'Reads a text file of your sandbox.',
      parameters: {
        type: 'object',
        properties: { path: { type: 'string', description: 'Relative to the sandbox, e.g. "out/report.md".' } },
        required: ['path'],
        additionalProperties: false,
      },
    },
    approval: definition.approval,
    idempotent: true,
    async invoke(args: JsonObject): Promise<ToolOutcome> {
      try {
        const file = await service.readFile(run.tenantId, await sandbox(), String(args.path));
        return { type: 'result', content: clip(new TextDecoder().decode(file.content), MAX_READ_CHARS) };
      } catch (error) {
        return failure(error);
      }
    },
  };

  const writeFile: AgentTool = {
    spec: {
      name: `${prefix}write_file`,
      description: 'Writes a text file in your sandbox (replacing it if it exists).',
      parameters: {
        type: 'object',
        properties: { path: { type: 'string', description: 'Relative to the sandbox.' }, content: { type: 'string' } },
        required: ['path', 'content'],
        additionalProperties: false,
      },
    },
    approval: definition.approval,
    // Writing the same content again leaves the same file.
    idempotent: true,
    async invoke(args: JsonObject): Promise<ToolOutcome> {
      try {
        const file = await service.writeFile(
          run.tenantId,
          await sandbox(),
          String(args.path),
          new TextEncoder().encode(String(args.content)),
        );
        return { type: 'result', content: JSON.stringify({ path: file.path, size: file.size }) };
      } catch (error) {
        return failure(error);
      }
    },
  };
  return [runCode, readFile, writeFile];
}
