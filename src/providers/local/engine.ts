import type { Llama } from 'node-llama-cpp';
import { HubError } from '../../core/index.js';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

let bindings: Promise<NodeLlamaCpp> | undefined;
const engines = new Map<'cpu' | 'auto', Promise<Llama>>();

/**
 * node-llama-cpp, imported on first use: a hub without local models never pays for loading the
 * native addon, and a broken install fails only the local provider, with a clear message.
 */
export function loadBindings(): Promise<NodeLlamaCpp> {
  bindings ??= import('node-llama-cpp').catch((error: unknown) => {
    bindings = undefined;
    throw new HubError(
      'DEPENDENCY_UNAVAILABLE',
      `the local inference engine (node-llama-cpp) cannot be loaded: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  });
  return bindings;
}

/**
 * The process-wide llama.cpp backend. `build: 'never'` and `skipDownload` make sure nothing is compiled
 * or fetched at run time: the prebuilt binary from `@node-llama-cpp/linux-x64` (npm) is used, or loading
 * fails. GPU detection only runs when some model asks for GPU layers.
 */
export function getEngine(gpu: boolean): Promise<Llama> {
  const key = gpu ? 'auto' : 'cpu';
  let engine = engines.get(key);
  if (!engine) {
    engine = (async () => {
      const lib = await loadBindings();
      return lib.getLlama({
        gpu: gpu ? 'auto' : false,
        build: 'never',
        skipDownload: true,
        progressLogs: false,
        // Every context passes its own `threads`; the default cap (the core count) would silently lower it.
        maxThreads: 0,
        // llama.cpp's loader warns about harmless metadata quirks on every load; only errors are worth a line.
        logLevel: lib.LlamaLogLevel.error,
      });
    })().catch((error: unknown) => {
      engines.delete(key);
      if (error instanceof HubError) throw error;
      throw new HubError('DEPENDENCY_UNAVAILABLE', `llama.cpp backend failed to start: ${(error as Error).message}`, { cause: error });
    });
    engines.set(key, engine);
  }
  return engine;
}
