// ESLint only for what the type checker and Biome cannot see: dropped promises, exhaustiveness,
// and the layer rules of ARCHITECTURE.md (arrows point down the table, never up).
import tseslint from 'typescript-eslint';

const layer = (folder, forbidden) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        // Relative imports only: npm packages such as `@openai/agents` are not layers of ours.
        patterns: forbidden.map((target) => ({
          regex: `^\\.\\.?/(?:\\.\\./)*${target}(?:/|$)`,
          message: `${folder}/ may not import ${target}/ (see ARCHITECTURE.md)`,
        })),
      },
    ],
  },
});

const ALL = [
  'config', 'wire', 'providers', 'routing', 'storage', 'cluster', 'economy', 'gateway', 'identity', 'runs', 'sandboxes',
  'agents', 'inbox', 'workflows', 'apps', 'evals', 'admin', 'observability', 'cli', 'sdk',
];
const except = (...allowed) => ALL.filter((folder) => !allowed.includes(folder));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'console/**', 'bench/results/**', '**/*.js', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  layer('core', ALL),
  layer('config', except()),
  layer('wire', except()),
  layer('providers', except('wire', 'config')),
  layer('routing', except('providers', 'config')),
  layer('storage', ALL),
  layer('cluster', ALL),
  layer('economy', except('storage', 'cluster', 'config')),
  layer('gateway', except('config', 'wire', 'routing', 'providers', 'economy', 'observability')),
  layer('runs', except('storage', 'cluster', 'observability')),
  layer('identity', except('storage', 'economy', 'cluster', 'observability')),
  layer('agents', except('wire', 'storage', 'cluster', 'runs', 'identity', 'sandboxes', 'gateway', 'economy', 'observability')),
  layer('inbox', except('storage', 'cluster', 'runs', 'agents', 'identity', 'observability')),
  layer('workflows', except('storage', 'cluster', 'runs', 'agents', 'inbox', 'economy', 'gateway', 'observability')),
  layer('apps', except('storage', 'agents', 'inbox', 'workflows', 'sandboxes', 'observability')),
  layer('evals', except('agents', 'apps', 'observability')),
  layer('admin', except('economy', 'storage', 'identity', 'agents', 'inbox', 'workflows', 'apps', 'config', 'routing')),
  layer('observability', ALL),
  // The SDK runs in other people's programs: nothing of the server, not even core (docs/sdk.md).
  layer('sdk', ['core', ...ALL]),
);
