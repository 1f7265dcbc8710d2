import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type HubConfig } from './schema.js';

export class ConfigError extends Error {
  readonly file: string;
  readonly problems: string[];

  constructor(file: string, problems: string[]) {
    super(`invalid config ${file}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

/** Replaces `${NAME}` and `${NAME:-default}` with environment values; a missing variable is an error. */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv, onMissing: (name: string) => void): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_whole, name: string, fallback?: string) => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    onMissing(name);
    return '';
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : out ? `.${String(segment)}` : String(segment);
  }
  return out || '(root)';
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

/** Parses and validates config text; `file` names the source in errors. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): HubConfig {
  const missing = new Set<string>();
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => `YAML: ${error.message}`),
    );
  }
  // Interpolate scalar values only, after parsing, so an env value can never change the YAML structure.
  const raw = interpolateTree(document.toJS() ?? {}, (value) => interpolateEnv(value, env, (name) => missing.add(name)));
  if (missing.size > 0) {
    throw new ConfigError(
      file,
      [...missing].map((name) => `environment variable ${name} is not set`),
    );
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues));
  return parsed.data;
}

function interpolateTree(value: unknown, interpolate: (text: string) => string): unknown {
  if (typeof value === 'string') return interpolate(value);
  if (Array.isArray(value)) return value.map((item) => interpolateTree(item, interpolate));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateTree(item, interpolate)]));
  }
  return value;
}

export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<HubConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read file: ${(error as Error).message}`]);
  }
  return parseConfig(text, file, env);
}

export function defaultConfig(): HubConfig {
  return configSchema.parse({});
}
