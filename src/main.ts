import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createHub, type Hub } from './app.js';
import { ConfigError, defaultConfig, type HubConfig, loadConfigFile } from './config/index.js';
import { allowEntryProblems, checkLocalModels } from './providers/index.js';

export interface StartOptions {
  configFile?: string;
  port?: number;
  host?: string;
  dataDir?: string;
}

/** Starts a hub from CLI options and the environment, and drains it on SIGTERM/SIGINT. */
export async function start(options: StartOptions, env: NodeJS.ProcessEnv = process.env): Promise<Hub> {
  // Without --config, ./tokenhub.yaml is used when present, so `npm start` picks up a local config.
  const configFile = options.configFile ?? env.TOKENHUB_CONFIG ?? (existsSync('tokenhub.yaml') ? 'tokenhub.yaml' : undefined);
  const config: HubConfig = configFile
    ? resolveModelPaths(await loadConfigFile(resolve(configFile), env), dirname(resolve(configFile)))
    : defaultConfig();
  const problems = [...(await checkLocalModels(config)), ...allowEntryProblems(config.security.upstream_urls.allow)];
  if (problems.length > 0) throw new ConfigError(configFile ?? '(defaults)', problems);
  const hub = await createHub({
    config,
    dataDir: resolve(options.dataDir ?? env.TOKENHUB_DATA_DIR ?? '.tokenhub'),
    ...(env.TOKENHUB_DATABASE_URL ? { databaseUrl: env.TOKENHUB_DATABASE_URL } : {}),
    ...(env.TOKENHUB_REDIS_URL ? { redisUrl: env.TOKENHUB_REDIS_URL } : {}),
    ...(env.TOKENHUB_REDIS_KEY_PREFIX ? { redisKeyPrefix: env.TOKENHUB_REDIS_KEY_PREFIX } : {}),
    ...(env.TOKENHUB_ADMIN_KEY ? { adminKey: env.TOKENHUB_ADMIN_KEY } : {}),
    ...(env.TOKENHUB_OTLP_ENDPOINT ? { otlpEndpoint: env.TOKENHUB_OTLP_ENDPOINT } : {}),
    ...(env.TOKENHUB_SECRET_KEY ? { secretKey: env.TOKENHUB_SECRET_KEY } : {}),
    ...(env.TOKENHUB_SECRET_KEY_PREVIOUS
      ? {
          previousSecretKeys: env.TOKENHUB_SECRET_KEY_PREVIOUS.split(',')
            .map((key) => key.trim())
            .filter((key) => key.length > 0),
        }
      : {}),
  });
  const port = options.port ?? (env.TOKENHUB_PORT ? Number(env.TOKENHUB_PORT) : config.server.port);
  const host = options.host ?? env.TOKENHUB_HOST ?? config.server.host;
  const url = await hub.listen(port, host);
  hub.logger.info({ url, models: config.models.length, providers: config.providers.length }, 'TokenHub listening');
  const shutdown = (signal: string): void => {
    hub.logger.info({ signal }, 'draining');
    hub.close().then(
      () => process.exit(0),
      (error: unknown) => {
        hub.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return hub;
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
