import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { HubConfig } from '../../config/index.js';
import { chatWrapperName, isJinjaText } from './chat-template.js';
import { loadBindings } from './engine.js';

/**
 * Validates every local model of a config before anything starts: the file exists and is a readable,
 * complete GGUF (header, metadata and tensor table parse; the file is long enough for its tensors),
 * `chat_template` names a known template, and model targets name configured local models. Returns the
 * problems in the config loader's `path: message` form; empty when all is well. Reads headers only —
 * no weights are loaded.
 */
export async function checkLocalModels(config: HubConfig): Promise<string[]> {
  const problems: string[] = [];
  const localModels = new Map<string, Set<string>>();
  const locals = config.providers.map((provider, index) => ({ provider, index })).filter(({ provider }) => provider.type === 'local');
  if (locals.length === 0) return problems;

  let lib: Awaited<ReturnType<typeof loadBindings>>;
  try {
    lib = await loadBindings();
  } catch (error) {
    return [`providers: ${(error as Error).message}`];
  }

  for (const { provider, index } of locals) {
    const ids = new Set<string>();
    localModels.set(provider.id, ids);
    for (const [modelIndex, model] of (provider.models ?? []).entries()) {
      const at = `providers[${index}].models[${modelIndex}]`;
      if (ids.has(model.id)) problems.push(`${at}.id: duplicate local model id "${model.id}"`);
      ids.add(model.id);
      if (model.chat_template !== undefined && !isJinjaText(model.chat_template) && !chatWrapperName(lib, model.chat_template)) {
        problems.push(
          `${at}.chat_template: unknown template "${model.chat_template}" (a Jinja template text, or one of: ${lib.specializedChatWrapperTypeNames.join(', ')})`,
        );
      }
      const problem = await checkGgufFile(lib, resolve(model.path));
      if (problem) problems.push(`${at}.path: ${problem}`);
    }
  }

  config.models.forEach((model, modelIndex) => {
    model.targets.forEach((target, targetIndex) => {
      const ids = localModels.get(target.provider);
      if (ids && !ids.has(target.model)) {
        problems.push(
          `models[${modelIndex}].targets[${targetIndex}].model: local provider "${target.provider}" has no model "${target.model}" (it has: ${[...ids].join(', ')})`,
        );
      }
    });
  });
  return problems;
}

async function checkGgufFile(lib: Awaited<ReturnType<typeof loadBindings>>, path: string): Promise<string | null> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return `${path} is not a file`;
    size = info.size;
  } catch {
    return `file not found: ${path}`;
  }
  try {
    const fileInfo = await lib.readGgufFileInfo(path, { sourceType: 'filesystem', readTensorInfo: true, logWarnings: false });
    const insights = await lib.GgufInsights.from(fileInfo);
    if (insights.modelSize > size) {
      return `${path} is truncated: its tensors need ${insights.modelSize} bytes, the file has ${size}`;
    }
    return null;
  } catch (error) {
    return `${path} is not a valid GGUF model file (${(error as Error).message})`;
  }
}
