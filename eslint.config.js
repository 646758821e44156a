// ESLint: the recommended JS and TypeScript rules (not the type-checked set: it would take the
// whole type checker per run), the Rules of React for the page, and the import boundaries between
// the layers of src/ (README.md › Layout). eslint.config.test.ts proves that the boundaries hold.
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Each top-level folder of src/ and the folders it may import. Tests (*.test.ts) may also import
 * src/testing/ and Node's built-ins; no other file of src/ may import src/testing/.
 */
const LAYERS = {
  evolution: [],
  data: [],
  storage: [],
  nn: ['evolution', 'data'],
  experiment: ['evolution', 'data', 'nn'],
  worker: ['evolution', 'data', 'nn', 'experiment', 'storage'],
  app: ['worker', 'experiment', 'storage'], // not all of worker/ and experiment/: see PAGE_* below
  sweep: ['evolution', 'data', 'nn', 'experiment', 'storage'],
  cli: ['evolution', 'data', 'nn', 'experiment', 'storage', 'sweep'],
  // Harnesses for the controllers' tests build the page's store and fake Workers.
  testing: ['evolution', 'data', 'nn', 'experiment', 'storage', 'worker', 'app'],
};

/** What to do instead, per layer: the message a contributor sees on a forbidden import. */
const ADVICE = {
  evolution:
    'evolution/ is the paper’s maths on plain typed arrays and imports nothing of the project; move what it needs into evolution/, or do the work in the layer that calls it.',
  data: 'data/ sits at the bottom beside evolution/ and imports nothing of the project; take what you need as a parameter (as stratifiedSubset takes its random streams), or do the work in experiment/.',
  storage: 'storage/ imports nothing of the project: it stores and reads back what its callers give it.',
  nn: 'nn/ may import only evolution/ and data/; let experiment/ pass settings and callbacks in.',
  experiment:
    'experiment/ may import evolution/, data/ and nn/; it is shared by the Worker and the CLI, so let them pass what it needs in.',
  worker: 'worker/ may import experiment/ and the layers below it, and storage/.',
  app: 'The page (app/) may import worker/protocol and worker/dataset-files, the pure modules of experiment/ (config, records, summary…) and storage/; training, tensors and datasets live in the Worker: send it a command (worker/protocol.ts) instead.',
  sweep:
    'sweep/ may import experiment/ and the layers below it, and storage/; the CLI calls it, not the other way round.',
  cli: 'cli/ may import anything but the page (app/), the Worker (worker/) and test helpers.',
  testing: 'src/testing/ (test helpers) may import the layers it helps to test, not the CLI.',
};

/** The only modules of worker/ that the page may import: the rest runs inside the Worker. */
const PAGE_WORKER_MODULES = ['protocol', 'dataset-files'];
/** Modules of experiment/ that the page may not import: they train, or pull in tfjs. */
const PAGE_FORBIDDEN_EXPERIMENT_MODULES = ['runner', 'environment'];

/**
 * Node-only modules in layers that otherwise also run in the browser: they alone may import Node's
 * built-ins (matched by name anywhere in their layer, so they may move into subfolders).
 */
const NODE_ONLY = [
  'src/data/**/node-source.ts',
  'src/nn/**/thread-peer.ts',
  'src/nn/**/gradient-thread.ts',
  'src/nn/**/gradient-thread-boot.mjs',
];
const NODE_LAYERS = ['cli', 'sweep', 'testing'];

const PRODUCT = '**/*.{ts,tsx,js,mjs}';
const TESTS = '**/*.test.{ts,tsx}';
const anyOf = (names) => `(?:${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`;
/** A relative import of one of `folders` of src/ from any depth inside another folder of src/. */
const intoFolders = (folders) => `^(?:\\.\\./)+${anyOf(folders)}(?:/|$)`;

const withTable = (advice) => `${advice} (The layers: README.md › Layout.)`;

const srcFolders = readdirSync(new URL('./src', import.meta.url), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);
const unlisted = srcFolders.filter((f) => !(f in LAYERS));
if (unlisted.length) {
  throw new Error(
    `eslint.config.js: src/${unlisted.join(', src/')} is not in LAYERS; add it there with the folders it may import (and to README.md › Layout).`,
  );
}
const allFolders = [...new Set([...srcFolders, ...Object.keys(LAYERS)])];

const nodeBuiltins = {
  regex: `^(?:node:|${anyOf(builtinModules.filter((m) => !m.startsWith('_')))}(?:/|$))`,
  message:
    'Node’s built-ins are not in the browser, where this layer also runs. Put Node-only code in cli/, or in a Node-only module listed in NODE_ONLY in eslint.config.js (as data/node-source.ts is).',
};
const testHelpers = {
  regex: intoFolders(['testing']),
  message: 'src/testing/ holds test helpers: import it only from *.test.ts files, bench/ and e2e/.',
};
const vitestOutsideTests = {
  regex: '^vitest(?:/|$)',
  message: 'vitest belongs in *.test.ts files and src/testing/.',
};
const pageLibraries = {
  regex: '^(?:react|react-dom|zustand|recharts)(?:/|$)',
  message:
    'React, zustand and recharts belong to the page (app/); other layers report through events and return values.',
};
const tfjs = (why) => ({ regex: '^@tensorflow/', message: why });

/** The `no-restricted-imports` patterns for files of `layer`, tests or not, Node-only or not. */
function patternsFor(layer, { test, node }) {
  const allowed = new Set([layer, ...LAYERS[layer], ...(test ? ['testing'] : [])]);
  const forbidden = allFolders.filter((f) => !allowed.has(f));
  const patterns = [];
  const others = forbidden.filter((f) => f !== 'testing');
  if (others.length) patterns.push({ regex: intoFolders(others), message: withTable(ADVICE[layer]) });
  if (forbidden.includes('testing')) patterns.push(testHelpers);
  if (!node) patterns.push(nodeBuiltins);
  if (!test && layer !== 'testing') patterns.push(vitestOutsideTests);
  if (layer !== 'app' && layer !== 'testing') patterns.push(pageLibraries);
  if (layer === 'app') {
    const workerOk = PAGE_WORKER_MODULES;
    patterns.push(
      {
        regex: `^(?:\\.\\./)+worker(?:$|/(?!${anyOf(workerOk)}(?:\\.tsx?)?$))`,
        message: withTable(ADVICE.app),
      },
      {
        regex: `^(?:\\.\\./)+experiment/${anyOf(PAGE_FORBIDDEN_EXPERIMENT_MODULES)}(?:\\.ts)?$`,
        message: withTable(ADVICE.app),
      },
      tfjs('The page knows nothing of tensors: tfjs runs in the Worker (worker/, through experiment/ and nn/).'),
    );
  }
  if (['evolution', 'data', 'storage'].includes(layer)) {
    patterns.push(tfjs(`${layer}/ works on plain typed arrays; tfjs belongs to nn/.`));
  }
  return patterns;
}

const boundaries = Object.keys(LAYERS).flatMap((layer) => {
  const dir = `src/${layer}`;
  const node = NODE_LAYERS.includes(layer);
  const rule = (options) => ({
    'no-restricted-imports': [
      'error',
      { patterns: patternsFor(layer, options).map((p) => ({ ...p, caseSensitive: true })) },
    ],
  });
  const nodeOnly = NODE_ONLY.filter((f) => f.startsWith(`${dir}/`));
  return [
    { name: `boundaries/${layer}`, files: [`${dir}/${PRODUCT}`], rules: rule({ test: false, node }) },
    ...(nodeOnly.length
      ? [{ name: `boundaries/${layer}/node-only`, files: nodeOnly, rules: rule({ test: false, node: true }) }]
      : []),
    { name: `boundaries/${layer}/tests`, files: [`${dir}/${TESTS}`], rules: rule({ test: true, node: true }) },
  ];
});

export default defineConfig(
  {
    ignores: ['dist/', 'public/', 'results/', 'bench/results/', 'e2e-artifacts/', 'runs/', 'out/', 'test-results/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'evolab/base',
    rules: {
      // `_`-prefixed names and rest siblings are how the code drops fields on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    name: 'evolab/node-scripts',
    files: ['*.{js,mjs}', 'scripts/**/*.{js,mjs}', 'src/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    name: 'evolab/react',
    files: ['src/app/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      // Only says that the React Compiler would skip a component; the project does not use it.
      'react-hooks/preserve-manual-memoization': 'off',
    },
  },
  boundaries,
);
