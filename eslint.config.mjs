// @ts-check
import eslint from '@eslint/js';
import importPlugin from 'eslint-plugin-import';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The doors between rooms (DESIGN.md §1): which of our libs each lib may import.
 * A lib is imported only by its root alias (`@app/ledger`), never by a deep path.
 */
const LIBS = [
  'common',
  'config',
  'database',
  'messaging',
  'events',
  'auth',
  'ledger',
  'vinted',
  'whatsapp',
  'webhooks',
  'client',
  'testing',
];
const ALLOWED = {
  common: [],
  config: ['common'],
  database: ['common', 'config'],
  messaging: ['common', 'config'],
  events: ['common', 'config', 'database', 'messaging'],
  auth: ['common', 'config', 'database', 'messaging', 'events'],
  ledger: ['common', 'config', 'database', 'messaging', 'events', 'auth'],
  vinted: ['common', 'config', 'database', 'messaging', 'events', 'auth'],
  whatsapp: ['common', 'config', 'database', 'messaging', 'events', 'auth'],
  webhooks: ['common', 'config', 'database', 'events'],
  client: [],
  testing: ['common', 'config', 'database', 'messaging', 'events', 'auth', 'ledger', 'vinted', 'whatsapp', 'client'],
};

const deepImport = {
  group: ['@app/*/*'],
  message: 'Import a lib only by its root (`@app/<lib>`); its public surface is src/index.ts.',
};
const appImport = {
  group: ['**/apps/**', 'apps/**'],
  message: 'Libraries never import apps.',
};
const escapeLib = {
  group: ['../../*', '../../../*'],
  message: 'Do not reach outside this lib with a relative path; import another lib by its alias.',
};

/**
 * The app doors (DESIGN.md §1), on resolved paths so that no relative depth or alias slips by:
 * an app never imports another app (what two apps need lives in a lib), a lib never imports an
 * app, and tests, benchmarks and drills import an app only through what boots it whole: its root
 * module or its `create-*-app` bootstrap helper, never its internals. Probe routes that tests and
 * the bench mount on the API also use the API's route vocabulary (`@Public()`…, `ExactHttpError`).
 */
const APPS = ['api', 'worker', 'cli'];
const APP_ENTRY_POINTS = [
  'api/src/api.module.ts',
  'api/src/create-api-app.ts',
  'worker/src/worker.module.ts',
  'worker/src/create-worker-app.ts',
  'cli/src/cli.module.ts',
];
const API_PROBE_SURFACE = ['api/src/auth/guard/index.ts', 'api/src/http/exact-http-error.ts'];
const appZones = [
  ...APPS.map((app) => ({
    target: `./apps/${app}`,
    from: APPS.filter((other) => other !== app).map((other) => `./apps/${other}`),
    message: 'An app never imports another app: move what both need into a lib (DESIGN.md §1).',
  })),
  {
    target: './libs',
    from: './apps',
    message: 'Libraries never import apps.',
  },
  {
    target: ['./test', './bench', './drills'],
    from: './apps',
    except: [...APP_ENTRY_POINTS, ...API_PROBE_SURFACE].map((path) => `./${path}`),
    message: `Tests boot an app only through its root module or bootstrap helper (${APP_ENTRY_POINTS.join(', ')}), and mount probes with ${API_PROBE_SURFACE.join(' and ')}; never its internals.`,
  },
];

const libRules = LIBS.map((lib) => {
  const forbidden = LIBS.filter((other) => other !== lib && !ALLOWED[lib].includes(other));
  return {
    files: [`libs/${lib}/src/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            deepImport,
            appImport,
            escapeLib,
            ...(forbidden.length
              ? [
                  {
                    group: forbidden.map((o) => `@app/${o}`),
                    message: `libs/${lib} may import only: ${ALLOWED[lib].join(', ') || 'no lib of ours'} (DESIGN.md §1).`,
                  },
                ]
              : []),
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { import: importPlugin },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' }, node: true },
      'import/internal-regex': '^@app/',
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'import/no-cycle': ['error', { ignoreExternal: true }],
      'import/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: appZones }],
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [deepImport] }],
    },
  },
  ...libRules,
  {
    // A path parameter is a row id, read by `@IdParam()`: `@Param()` would let `2147483648` (a
    // PostgreSQL error, a 500) or `1e3` (1000, once the validation pipe converts it) through.
    files: ['apps/api/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [deepImport],
          paths: [
            {
              name: '@nestjs/common',
              importNames: ['Param'],
              message: 'Read a path id with @IdParam() (apps/api/src/http/id-param.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // The web console runs in a browser (its own tsconfig, DOM lib) and is bundled by Vite.
    files: ['apps/console/**/*.{ts,tsx,mts}'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Plain CommonJS run by Node or Jest themselves (the launcher in scripts/, Jest transformers):
    // outside the TypeScript project.
    files: ['**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: globals.node,
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Specs of any lib may use the shared test helpers (test databases, vhosts, proxies).
    files: ['libs/*/src/**/*.spec.ts', 'libs/*/src/**/*.int-spec.ts', 'libs/*/test/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [deepImport, appImport] }] },
  },
  {
    // Tests may poke at values whose types come from JSON bodies.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'drills/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
