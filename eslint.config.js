// ESLint flat config: @eslint/js + typescript-eslint (recommended, no type information, so it is fast),
// the import boundaries of the layering rule (domain/, application/, core vs modules), and eslint-config-prettier last
// so that formatting is Prettier's alone (`npm run lint` runs `prettier --check` after ESLint).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------------
// Import boundaries. Every pattern is a regular expression tested against the import's source text
// (`import`, `import type`, `export … from`), so relative paths are matched as written, not resolved.
//
// Two independent rules carry them, because in a flat config the last block that sets a rule for a file
// replaces that rule's options: a file under `src/modules/chat/application/` needs both its unit's
// restrictions and its layer's, so they must live in different rules.
//   - `no-restricted-imports`                     -> the unit rules (core vs modules, the feature -> core door);
//   - `@typescript-eslint/no-restricted-imports`  -> the layer rules (domain/, application/); it also sees `import x = require()`.
// ---------------------------------------------------------------------------------------------------

/** The units that have layer folders (domain/, application/, infrastructure/, api/, ports/). */
const UNITS = ['src/core/websocket', 'src/modules/*', 'src/http'];

/** A relative path (`./…` or `../…`) containing the folder `name` as one of its segments. */
const relativeInto = (name) => `^\\.{1,2}/(?:.*/)?(?:${name})(?:/|$)`;

const DOMAIN_MESSAGE = 'domain/ depends on nothing but zod, node: built-ins and files inside its own domain/ folder (layering rule).';
/** Patterns for a file `depth` folders below its `domain/` folder. */
const domainPatterns = (depth) => [
  { regex: '^(?!zod(?:/|$)|node:|\\.{1,2}(?:/|$))', caseSensitive: true, message: DOMAIN_MESSAGE },
  // One `..` more than the file is deep leaves domain/ (into application/, infrastructure/, api/, ports/, the unit's root or another unit).
  { regex: `^(?:\\.\\./){${depth}}\\.\\.(?:/|$)`, caseSensitive: true, message: DOMAIN_MESSAGE },
  // A `..` after a named folder (`./x/../../y`) is not counted above: refused rather than resolved.
  { regex: '(?:^|/)(?!\\.\\.?/)[^/]+/\\.\\.(?:/|$)', caseSensitive: true, message: DOMAIN_MESSAGE },
];
const MAX_DOMAIN_DEPTH = 6;

const APPLICATION_PATTERNS = [
  {
    regex: relativeInto('infrastructure|api'),
    caseSensitive: true,
    message:
      'application/ must not import infrastructure/ or api/: depend on a port (ports/) and let the module wire the adapter (layering rule).',
  },
];

const CORE_PATTERNS = [
  {
    regex: relativeInto('modules'),
    caseSensitive: true,
    message: 'src/core/ must not depend on src/modules/ (layering rule): the core knows no feature.',
  },
  {
    regex: '^nest-realtime/(?:chat|presence|notifications)(?:/|$)',
    caseSensitive: true,
    message: 'src/core/ must not depend on a feature module (layering rule).',
  },
];

const CORE_DOOR = 'core/websocket/index.js or core/websocket/internal.js';
/** A relative path into src/core other than through `allowed` (a regex fragment after `core/websocket/`). */
const coreExcept = (allowed, message) => [{ regex: `^(?:\\.\\./)+core(?!/websocket/(?:${allowed}))(?:/|$)`, caseSensitive: true, message }];
const FEATURE_PATTERNS = coreExcept(
  '(?:index|internal)\\.js$',
  `A feature module reaches the core only through ${CORE_DOOR} (layering rule).`,
);
const BROWSER_SAFE_PATTERNS = coreExcept(
  '(?:index|internal)\\.js$|domain/|api/session\\.(?:contract|schemas)\\.js$',
  `Contracts, schemas and the client reach the core only through ${CORE_DOOR}, core/websocket/domain/ or the core's own wire contract (layering rule).`,
);

/** `files` globs for the files exactly `depth` folders below a `domain/` folder of a unit. */
const domainFiles = (depth) => UNITS.map((unit) => `${unit}/**/domain/${'*/'.repeat(depth)}*.ts`);

// Unit tests (`*.spec.ts`) may wire a service to its unit's real adapters (an in-memory store, a decorator under test):
// they are not part of the layer, so the layer rules skip them. The unit rules still apply to them.
const UNIT_TESTS = ['src/**/*.spec.ts'];

const boundaries = [
  // --- unit rules (no-restricted-imports) ---
  { name: 'boundaries/core', files: ['src/core/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: CORE_PATTERNS }] } },
  {
    name: 'boundaries/features',
    files: ['src/modules/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: FEATURE_PATTERNS }] },
  },
  {
    // Exception: contracts, schemas and the client may import core/websocket/domain/ and the core's wire contract (Nest-free): the browser client loads them, and index.js pulls in Nest.
    name: 'boundaries/browser-safe',
    files: ['src/modules/**/*.contract.ts', 'src/modules/**/*.schemas.ts', 'src/client/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: BROWSER_SAFE_PATTERNS }] },
  },

  // --- layer rules (@typescript-eslint/no-restricted-imports) ---
  {
    name: 'boundaries/application',
    files: UNITS.map((unit) => `${unit}/**/application/**/*.ts`),
    ignores: UNIT_TESTS,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: APPLICATION_PATTERNS }] },
  },
  ...Array.from({ length: MAX_DOMAIN_DEPTH + 1 }, (_, depth) => ({
    name: `boundaries/domain-depth-${depth}`,
    files: domainFiles(depth),
    ignores: UNIT_TESTS,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: domainPatterns(depth) }] },
  })),
  {
    // What the import rules do not see: `import('x')` and `typeof import('x')` in domain/.
    name: 'boundaries/domain-dynamic',
    files: UNITS.map((unit) => `${unit}/**/domain/**/*.ts`),
    ignores: UNIT_TESTS,
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: 'domain/ loads no module at run time (layering rule).' },
        { selector: 'TSImportType:not([source.value=/^(zod$|zod\\u002F|node:)/])', message: DOMAIN_MESSAGE },
      ],
    },
  },
];

export default defineConfig(
  globalIgnores([
    'dist/',
    'coverage/',
    'bench/.app-dist/',
    'bench/results/',
    'test/consumer/app/node_modules/',
    'test/consumer/app/dist/',
    // public/index.html is the demo page: its only script is inline in HTML, which ESLint does not parse without an HTML plugin.
    'public/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'project/rules',
    rules: {
      // `_name` marks a parameter or binding kept on purpose (an interface's signature, `{ drop: _drop, ...rest }`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `(...args: any[]) => void` is TypeScript's idiom for "any listener" (Socket.IO's event maps): `unknown[]` would reject every typed listener.
      '@typescript-eslint/no-explicit-any': ['error', { ignoreRestArgs: true }],
      // `{}` is the neutral element of an intersection in the contract's type-level code (MergeContracts); empty interfaces are still reported.
      '@typescript-eslint/no-empty-object-type': ['error', { allowObjectTypes: 'always' }],
    },
  },
  {
    name: 'project/node-scripts',
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },
  {
    name: 'project/tests',
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.soak-spec.ts', 'test/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      // Tests poke at payloads and private shapes of the wire protocol; an `any` there is no production type hole.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Compile-time type assertions: values are declared only to be inspected with `typeof` (checked by `npm run typecheck`).
    name: 'project/type-tests',
    files: [
      'test/types/**/*.ts',
      'test/consumer/app/typecheck/**/*.ts',
      'test/consumer/app/src/client-types.ts',
      'test/testing-kit.e2e-spec.ts',
    ],
    // The rule has no option for "only used as a type", so it is off here (testing-kit: its kitTypes() block).
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  ...boundaries,
  prettier,
);
