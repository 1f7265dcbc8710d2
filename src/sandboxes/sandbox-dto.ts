import { picosToUsd } from '../core/index.js';
import type { SandboxFileInfo, SandboxRecord, SandboxWorkspaceRecord } from '../storage/index.js';
import type { CodeRunOutcome } from './sandbox-service.js';

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function sandboxDto(record: SandboxRecord) {
  return {
    id: record.id,
    object: 'sandbox' as const,
    status: record.status,
    template: record.template,
    provider: record.provider,
    limits: record.limits,
    network: record.network,
    timeout_s: record.timeoutS,
    workspace: record.workspace,
    run_id: record.runId,
    files: { count: record.filesCount, bytes: record.filesBytes },
    usage: { calls: record.calls, cpu_ms: record.cpuMs, cost_usd: picosToUsd(record.costPicos) },
    created_at: iso(record.createdAt),
    last_used_at: iso(record.lastUsedAt),
    expires_at: record.status === 'live' ? iso(record.expiresAt) : null,
    ended_at: iso(record.deletedAt),
    end_reason: record.endReason,
  };
}

export function codeResultDto(outcome: CodeRunOutcome) {
  return {
    object: 'sandbox.code_result' as const,
    sandbox_id: outcome.sandboxId,
    language: outcome.language,
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    output_truncated: outcome.outputTruncated,
    result: outcome.result ?? null,
    error: outcome.error,
    duration_ms: Math.round(outcome.durationMs),
    cpu_ms: outcome.cpuMs,
    cost_usd: picosToUsd(outcome.costPicos),
    state_reset: outcome.stateReset,
    files: { changed: Object.keys(outcome.changed).sort(), removed: [...outcome.removed].sort(), skipped: outcome.skipped },
    request_id: outcome.requestId,
  };
}

export function fileDto(file: SandboxFileInfo) {
  return { object: 'sandbox.file' as const, path: file.path, size: file.size, version: file.version, updated_at: iso(file.updatedAt) };
}

export function workspaceDto(workspace: SandboxWorkspaceRecord) {
  return {
    object: 'sandbox.workspace' as const,
    name: workspace.name,
    source_sandbox_id: workspace.sourceSandboxId,
    files: { count: workspace.filesCount, bytes: workspace.filesBytes },
    created_at: iso(workspace.createdAt),
    updated_at: iso(workspace.updatedAt),
  };
}
