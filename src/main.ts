import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createHub, type Hub, type StartStage } from './app.js';
import { type DataDirLock, lockDataDir } from './cli/data-dir-lock.js';
import { StartError } from './cli/start-error.js';
import type { StartProgress } from './cli/start-progress.js';
import { ConfigError, defaultConfig, type HubConfig, loadConfigFile } from './config/index.js';
import { allowEntryProblems, checkLocalModels } from './providers/index.js';

export interface StartOptions {
  configFile?: string;
  port?: number;
  host?: string;
  dataDir?: string;
  /** Stage lines and the ready block (the CLI's, on stderr); absent: silent but for the JSON logs. */
  progress?: StartProgress;
}

/** Starts a hub from CLI options and the environment, and drains it on SIGTERM/SIGINT. */
export async function start(options: StartOptions, env: NodeJS.ProcessEnv = process.env): Promise<Hub> {
  // Without --config, ./tokenhub.yaml is used when present, so `npm start` picks up a local config.
  const configFile = options.configFile ?? env.TOKENHUB_CONFIG ?? (existsSync('tokenhub.yaml') ? 'tokenhub.yaml' : undefined);
  const config: HubConfig = configFile
    ? resolveModelPaths(await loadConfigFile(resolve(configFile), env), dirname(resolve(configFile)))
    : defaultConfig();
  const problems = [...(await checkLocalModels(config)), ...allowEntryProblems(config.security.upstream_urls.allow)];
  if (env.TOKENHUB_ACCESS_LOG) {
    const on = booleanOf(env.TOKENHUB_ACCESS_LOG);
    if (on === undefined) problems.push(`TOKENHUB_ACCESS_LOG: expected true or false, got "${env.TOKENHUB_ACCESS_LOG}"`);
    else config.server.access_log = on;
  }
  if (problems.length > 0) throw new ConfigError(configFile ?? '(defaults)', problems);
  const dataDir = resolve(options.dataDir ?? env.TOKENHUB_DATA_DIR ?? '.tokenhub');
  const port = options.port ?? (env.TOKENHUB_PORT ? Number(env.TOKENHUB_PORT) : config.server.port);
  const host = options.host ?? env.TOKENHUB_HOST ?? config.server.host;
  const progress = options.progress;
  const pglite = env.TOKENHUB_DATABASE_URL ? undefined : { dir: join(dataDir, 'pg'), fresh: !existsSync(join(dataDir, 'pg')) };
  const lock = lockDataDir(dataDir);
  let generatedAdminKey: string | undefined;
  let hub: Hub | undefined;
  try {
    hub = await createHub({
      config,
      dataDir,
      onStage: (stage) => progress?.stage(stageText(stage, pglite)),
      onAdminKeyGenerated: (key) => {
        generatedAdminKey = key;
      },
      ...(env.TOKENHUB_DATABASE_URL ? { databaseUrl: env.TOKENHUB_DATABASE_URL } : {}),
      ...(env.TOKENHUB_REDIS_URL ? { redisUrl: env.TOKENHUB_REDIS_URL } : {}),
      ...(env.TOKENHUB_REDIS_KEY_PREFIX ? { redisKeyPrefix: env.TOKENHUB_REDIS_KEY_PREFIX } : {}),
      ...(env.TOKENHUB_ADMIN_KEY ? { adminKey: env.TOKENHUB_ADMIN_KEY } : {}),
      ...(env.TOKENHUB_OTLP_ENDPOINT ? { otlpEndpoint: env.TOKENHUB_OTLP_ENDPOINT } : {}),
      ...(env.TOKENHUB_SECRET_KEY ? { secretKey: env.TOKENHUB_SECRET_KEY } : {}),
      ...(env.E2B_API_KEY ? { e2bApiKey: env.E2B_API_KEY } : {}),
      ...(env.TOKENHUB_SECRET_KEY_PREVIOUS
        ? {
            previousSecretKeys: env.TOKENHUB_SECRET_KEY_PREVIOUS.split(',')
              .map((key) => key.trim())
              .filter((key) => key.length > 0),
          }
        : {}),
    });
    progress?.stage(`listening on ${host}:${port}`);
    const url = await listen(hub, port, host);
    progress?.ready({
      url,
      configFile: configFile ? resolve(configFile) : undefined,
      dataDir,
      database: env.TOKENHUB_DATABASE_URL
        ? `PostgreSQL at ${withoutCredentials(env.TOKENHUB_DATABASE_URL)}`
        : `PGlite (embedded) in ${dataDir}`,
      generatedAdminKey,
    });
    hub.logger.info({ url, models: config.models.length, providers: config.providers.length }, 'TokenHub listening');
  } catch (error) {
    progress?.stop();
    await hub?.close().catch(() => {});
    lock.release();
    // A key generated before the failure is stored hashed: it must not be lost with the failed start.
    if (generatedAdminKey) process.stderr.write(`TokenHub admin key (generated, stored hashed, shown once): ${generatedAdminKey}\n`);
    throw error;
  }
  drainOnSignals(hub, lock);
  return hub;
}

async function listen(hub: Hub, port: number, host: string): Promise<string> {
  try {
    return await hub.listen(port, host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new StartError(`port ${port} on ${host} is already in use (is another TokenHub running? choose another with --port)`);
    if (code === 'EACCES') throw new StartError(`not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges)`);
    if (code === 'EADDRNOTAVAIL') throw new StartError(`cannot listen on ${host}: no such address on this machine`);
    throw error;
  }
}

function drainOnSignals(hub: Hub, lock: DataDirLock): void {
  const shutdown = (signal: string): void => {
    hub.logger.info({ signal }, 'draining');
    hub.close().then(
      () => {
        lock.release();
        process.exit(0);
      },
      (error: unknown) => {
        hub.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

function stageText(stage: StartStage, pglite: { dir: string; fresh: boolean } | undefined): string {
  switch (stage) {
    case 'database':
      if (!pglite) return 'connecting to PostgreSQL';
      return pglite.fresh
        ? `creating the embedded database in ${pglite.dir} (first start only: 10–20 s)`
        : `opening the embedded database in ${pglite.dir}`;
    case 'migrations':
      return 'migrating the database';
    case 'journal':
      return 'replaying the usage journal';
    case 'providers':
      return 'loading providers and models';
  }
}

function booleanOf(value: string): boolean | undefined {
  const normalised = value.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(normalised)) return true;
  if (['0', 'false', 'off', 'no'].includes(normalised)) return false;
  return undefined;
}

function withoutCredentials(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.host}${url.pathname}`;
  } catch {
    return '(TOKENHUB_DATABASE_URL)';
  }
}

/** Local model paths in a config file are relative to that file, not to the working directory. */
function resolveModelPaths(config: HubConfig, baseDir: string): HubConfig {
  for (const provider of config.providers) {
    for (const model of provider.models ?? []) {
      if (!isAbsolute(model.path)) model.path = resolve(baseDir, model.path);
    }
  }
  return config;
}
