import { resolve } from 'node:path';
import type { Command } from 'commander';

/** What `tokenhub models inspect FILE` shows about a GGUF model, read from its header only. */
export interface GgufSummary {
  file: string;
  architecture: string;
  name: string | null;
  parameters: number;
  sizeBytes: number;
  contextLength: number | null;
  embeddingLength: number | null;
  layers: number;
  tokenizer: { model: string | null; tokens: number | null; bos: number | null; eos: number | null };
  fileType: string | null;
  chatTemplate: string | null;
}

/** Reads a GGUF's metadata and tensor table (no weights) with node-llama-cpp. */
export async function inspectGguf(file: string): Promise<GgufSummary> {
  const lib = await import('node-llama-cpp');
  const path = resolve(file);
  const info = await lib.readGgufFileInfo(path, { sourceType: 'filesystem', readTensorInfo: true, logWarnings: false });
  const insights = await lib.GgufInsights.from(info);
  const metadata = info.metadata;
  const tokenizer = metadata.tokenizer?.ggml;
  const fileType = metadata.general?.file_type;
  const template = metadata.tokenizer?.chat_template;
  return {
    file: path,
    architecture: String(metadata.general?.architecture ?? 'unknown'),
    name: metadata.general?.name ?? null,
    parameters: insights.totalParameters,
    sizeBytes: insights.modelSize,
    contextLength: insights.trainContextSize ?? null,
    embeddingLength: insights.embeddingVectorSize ?? null,
    // GGUF's own block count (llama.cpp's "layers" add the output layer).
    layers:
      (metadata as unknown as Record<string, { block_count?: number } | undefined>)[String(metadata.general?.architecture)]?.block_count ??
      insights.totalLayers,
    tokenizer: {
      model: tokenizer?.model ?? null,
      tokens: tokenizer?.tokens?.length ?? null,
      bos: tokenizer?.bos_token_id ?? null,
      eos: tokenizer?.eos_token_id ?? null,
    },
    fileType: fileType === undefined ? null : (lib.GgufFileType[fileType] ?? String(fileType)),
    chatTemplate: typeof template === 'string' && template.trim() !== '' ? template : null,
  };
}

function humanCount(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} B`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} K`;
  return String(value);
}

function humanBytes(value: number): string {
  if (value >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(2)} GiB`;
  if (value >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  return `${(value / 1024).toFixed(1)} KiB`;
}

export function formatGgufSummary(summary: GgufSummary): string {
  const lines = [
    `file:            ${summary.file}`,
    `architecture:    ${summary.architecture}${summary.name ? ` (${summary.name})` : ''}`,
    `parameters:      ${humanCount(summary.parameters)} (${summary.parameters})`,
    `weights:         ${humanBytes(summary.sizeBytes)}${summary.fileType ? `, ${summary.fileType}` : ''}`,
    `context length:  ${summary.contextLength ?? 'unknown'} (trained)`,
    `blocks:          ${summary.layers}${summary.embeddingLength ? `, embedding ${summary.embeddingLength}` : ''}`,
    `tokenizer:       ${summary.tokenizer.model ?? 'unknown'}, ${summary.tokenizer.tokens ?? '?'} tokens, bos=${summary.tokenizer.bos ?? '-'} eos=${summary.tokenizer.eos ?? '-'}`,
    `chat template:   ${summary.chatTemplate === null ? 'none (a base model: use /v1/completions, or set chat_template in the config)' : 'yes'}`,
  ];
  if (summary.chatTemplate !== null) lines.push('', summary.chatTemplate);
  return `${lines.join('\n')}\n`;
}

/** `tokenhub models inspect FILE [--json]`: a bad file is one clear line and exit code 1, not a stack trace. */
export function registerModelsCommand(program: Command): Command {
  const models = program.command('models').description('model routes on a running hub, and local GGUF model files');
  models
    .command('inspect <file>')
    .description("print a GGUF's architecture, parameters, context length, tokenizer and chat template")
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      let summary: GgufSummary;
      try {
        summary = await inspectGguf(file);
      } catch (error) {
        process.stderr.write(`tokenhub: cannot read ${file} as a GGUF model: ${(error as Error).message}\n`);
        process.exit(1);
      }
      process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatGgufSummary(summary));
    });
  return models;
}
