import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.js';

const valid = `
providers:
  - id: main
    type: openai
    preset: dashscope
    base_url: http://127.0.0.1:9999/v1
    api_key: \${MAIN_API_KEY}
  - id: other
    type: openai
    base_url: http://127.0.0.1:9998/v1
models:
  - name: qwen-plus
    targets:
      - { provider: main, model: qwen-plus-latest, weight: 3 }
      - { provider: other, model: qwen-plus, weight: 1 }
    fallbacks: [deepseek-chat]
    pricing: { input_per_mtok: 0.4, output_per_mtok: 1.2, cached_input_per_mtok: 0.1 }
  - name: deepseek-chat
    targets: [{ provider: other, model: deepseek-chat }]
routing: { retries: 2, timeout_ms: 60000, first_byte_timeout_ms: 20000 }
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, 'tokenhub.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config', () => {
  it('parses the documented shape with ${ENV} interpolation and defaults', () => {
    const config = parseConfig(valid, 'tokenhub.yaml', { MAIN_API_KEY: 'sk-1' });
    expect(config.providers[0]?.api_key).toBe('sk-1');
    expect(config.models[0]?.targets[0]?.weight).toBe(3);
    expect(config.routing.breaker.failure_threshold).toBe(5);
    expect(config.server.port).toBe(8080);
  });

  it('names the missing environment variable', () => {
    expect(problems(valid)).toEqual(['environment variable MAIN_API_KEY is not set']);
  });

  it('names the file, the path inside it and what is wrong', () => {
    const broken = valid.replace('weight: 1 }', 'weight: -1 }').replace('[deepseek-chat]', '[nope]');
    try {
      parseConfig(broken, 'tokenhub.yaml', { MAIN_API_KEY: 'x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('tokenhub.yaml');
      expect((error as ConfigError).problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^models\[0\]\.targets\[1\]\.weight: /),
          'models[0].fallbacks[0]: unknown model "nope"',
        ]),
      );
    }
  });

  it('rejects unknown providers, unknown keys and YAML syntax errors', () => {
    expect(problems('models:\n  - name: a\n    targets: [{ provider: ghost, model: m }]\n')).toEqual([
      'models[0].targets[0].provider: unknown provider "ghost"',
    ]);
    expect(problems('routing: { retries: 2, retires: 3 }\n')[0]).toMatch(/^routing: Unrecognized key/);
    expect(problems('providers: [\n')[0]).toMatch(/^YAML: /);
  });

  it('does not let an environment value change the YAML structure', () => {
    const config = parseConfig(valid, 'tokenhub.yaml', { MAIN_API_KEY: 'x\nmodels: []' });
    expect(config.providers[0]?.api_key).toBe('x\nmodels: []');
    expect(config.models).toHaveLength(2);
  });
});
