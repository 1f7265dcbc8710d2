/**
 * Lints what can be linted here of deploy/ (this machine has no Docker engine and Debian ships no
 * `helm`): every YAML parses, the Helm templates parse after their template actions are replaced by
 * placeholders and carry the objects and settings the chart promises, and the Dockerfile keeps its
 * basics (multi-stage, non-root, health check, port, data volume).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

const DEPLOY = resolve(import.meta.dirname, '../../deploy');
const CHART = join(DEPLOY, 'helm/tokenhub');

type Doc = Record<string, unknown>;

function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/**
 * A tiny stand-in for `helm template`: lines that are only a template action (`{{- if … }}`,
 * `{{- end }}`, `{{- include … | nindent 4 }}`) go; inline actions become unique placeholder scalars.
 * What it cannot check (types of values, real rendering) is `helm lint`'s job where helm exists.
 */
function renderPlaceholders(template: string): string {
  let counter = 0;
  return template
    .split('\n')
    .filter((line) => !/^\s*\{\{-?[^}]*-?\}\}\s*$/.test(line))
    .map((line) => line.replace(/\{\{-?[^}]*?-?\}\}/g, () => `placeholder${++counter}`))
    .join('\n');
}

function parseTemplate(name: string): Doc[] {
  const documents = parseAllDocuments(renderPlaceholders(read(join(CHART, 'templates', name))));
  for (const document of documents) expect(document.errors, `${name}: ${document.errors.join('; ')}`).toEqual([]);
  return documents.map((document) => document.toJSON() as Doc).filter((doc) => doc !== null);
}

function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) current = (current as Record<string | number, unknown> | undefined)?.[key];
  return current;
}

describe('Helm chart deploy/helm/tokenhub', () => {
  it('Chart.yaml and values.yaml parse and hold what the templates use', () => {
    const chart = parseYaml(read(join(CHART, 'Chart.yaml'))) as Doc;
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'tokenhub', type: 'application' });
    const values = parseYaml(read(join(CHART, 'values.yaml'))) as Doc;
    expect(values.replicaCount).toBeGreaterThanOrEqual(2);
    expect(at(values, 'probes', 'liveness', 'path')).toBe('/healthz');
    expect(at(values, 'probes', 'readiness', 'path')).toBe('/readyz');
    expect(at(values, 'autoscaling', 'enabled')).toBe(true);
    expect(at(values, 'podSecurityContext', 'runAsNonRoot')).toBe(true);
    expect(Object.keys(at(values, 'secrets', 'keys') as Doc)).toEqual([
      'adminKey',
      'databaseUrl',
      'redisUrl',
      'secretKey',
      'secretKeyPrevious',
    ]);
    // The embedded tokenhub.yaml is itself valid YAML, and drains before the kubelet's grace period ends.
    const config = parseYaml(String(values.config)) as Doc;
    expect(Number(at(config, 'server', 'drain_timeout_ms'))).toBeLessThan(Number(values.terminationGracePeriodSeconds) * 1000);
  });

  it('every template parses once its actions are replaced', () => {
    const templates = readdirSync(join(CHART, 'templates')).filter((name) => name.endsWith('.yaml'));
    const kinds = templates.flatMap((name) => parseTemplate(name).map((doc) => doc.kind));
    expect(kinds.sort()).toEqual(
      ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'Secret', 'Service'].sort(),
    );
  });

  it('the Deployment probes /healthz and /readyz, runs non-root, and takes secrets from a Secret', () => {
    const [deployment] = parseTemplate('deployment.yaml');
    const container = at(deployment, 'spec', 'template', 'spec', 'containers', 0) as Doc;
    expect(at(container, 'ports', 0, 'containerPort')).toBe(8080);
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) expect(at(container, probe, 'httpGet', 'port')).toBe('http');
    const values = read(join(CHART, 'templates', 'deployment.yaml'));
    expect(values).toContain('.Values.probes.liveness.path');
    expect(values).toContain('.Values.probes.readiness.path');
    const env = container.env as { name: string; value?: unknown; valueFrom?: unknown }[];
    const names = env.map((variable) => variable.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'TOKENHUB_CONFIG',
        'TOKENHUB_ADMIN_KEY',
        'TOKENHUB_DATABASE_URL',
        'TOKENHUB_REDIS_URL',
        'TOKENHUB_SECRET_KEY',
        'TOKENHUB_SECRET_KEY_PREVIOUS',
      ]),
    );
    for (const secret of [
      'TOKENHUB_ADMIN_KEY',
      'TOKENHUB_DATABASE_URL',
      'TOKENHUB_REDIS_URL',
      'TOKENHUB_SECRET_KEY',
      'TOKENHUB_SECRET_KEY_PREVIOUS',
    ]) {
      const variable = env.find((entry) => entry.name === secret);
      expect(variable?.value, `${secret} must never be a plain value`).toBeUndefined();
      expect(at(variable, 'valueFrom', 'secretKeyRef')).toBeDefined();
    }
    const mounts = (container.volumeMounts as { mountPath: string }[]).map((mount) => mount.mountPath);
    expect(mounts).toEqual(expect.arrayContaining(['/etc/tokenhub', '/data', '/tmp']));
    expect(at(deployment, 'spec', 'strategy', 'rollingUpdate', 'maxUnavailable')).toBe(0);
  });
});

describe('deploy/docker-compose.yml', () => {
  it('runs two hub replicas on shared PostgreSQL and Redis, each waiting for them to be healthy', () => {
    const compose = parseYaml(read(join(DEPLOY, 'docker-compose.yml')), { merge: true }) as Doc;
    const services = compose.services as Record<string, Doc>;
    expect(Object.keys(services).sort()).toEqual(['postgres', 'redis', 'tokenhub-1', 'tokenhub-2']);
    for (const name of ['tokenhub-1', 'tokenhub-2']) {
      const hub = services[name];
      expect(at(hub, 'environment', 'TOKENHUB_DATABASE_URL')).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(at(hub, 'environment', 'TOKENHUB_REDIS_URL')).toBe('redis://redis:6379');
      expect(at(hub, 'depends_on', 'postgres', 'condition')).toBe('service_healthy');
      expect(at(hub, 'depends_on', 'redis', 'condition')).toBe('service_healthy');
      expect(at(hub, 'build', 'dockerfile')).toBe('deploy/Dockerfile');
    }
    expect(at(services.postgres, 'healthcheck', 'test')).toBeDefined();
    expect(at(services.redis, 'healthcheck', 'test')).toBeDefined();
    // Secrets come from the environment, never literals in the file.
    expect(String(at(services.postgres, 'environment', 'POSTGRES_PASSWORD'))).toMatch(/^\$\{POSTGRES_PASSWORD/);
  });

  it('the example config it mounts parses', () => {
    const config = parseYaml(read(join(DEPLOY, 'tokenhub.example.yaml'))) as Doc;
    expect(at(config, 'server', 'host')).toBe('0.0.0.0');
    expect(Array.isArray(config.models)).toBe(true);
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read(join(DEPLOY, 'Dockerfile'));
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages = instructions.reduce<string[][]>((all, line) => {
    if (/^FROM\s/i.test(line)) all.push([line]);
    else all.at(-1)?.push(line);
    return all;
  }, []);
  const runtime = stages.at(-1) ?? [];

  it('is multi-stage on node:20-slim, building with npm ci and pruning dev dependencies', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]).toMatch(/^FROM node:20-slim AS \w+/);
    expect(instructions.some((line) => /^RUN .*npm ci\b/.test(line))).toBe(true);
    expect(instructions.some((line) => /npm prune --omit=dev/.test(line))).toBe(true);
    // The runtime stage installs nothing: it copies the build stage's output.
    expect(runtime.some((line) => /npm (ci|install)/.test(line))).toBe(false);
    expect(runtime.some((line) => /^COPY --from=build .*dist/.test(line))).toBe(true);
  });

  it('runs as a non-root user, with a health check, port 8080 and a /data volume', () => {
    const users = runtime.filter((line) => /^USER\s/i.test(line));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)(:|\s|$)/);
    const healthcheck = runtime.find((line) => /^HEALTHCHECK\s/.test(line));
    expect(healthcheck).toContain('/healthz');
    expect(runtime).toContain('EXPOSE 8080');
    expect(runtime.some((line) => /^VOLUME .*\/data/.test(line))).toBe(true);
    expect(runtime.some((line) => /^ENTRYPOINT .*dist\/cli\/index\.js/.test(line))).toBe(true);
  });

  it('keeps the build context small: its .dockerignore admits only sources and manifests', () => {
    const ignore = read(join(DEPLOY, 'Dockerfile.dockerignore'))
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    expect(ignore[0]).toBe('**');
    expect(ignore).toEqual(expect.arrayContaining(['!package.json', '!package-lock.json', '!src/**']));
  });
});
