/**
 * The layer boundaries of eslint.config.js hold: each layer's likeliest wrong import is an error
 * with advice, and the imports the layer table allows pass. Runs ESLint's Node API on snippets
 * placed (virtually) inside src/, so nothing is written to disk.
 */
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The boundary messages ESLint gives for `import … from source` in the file at `file`. */
async function boundaryErrors(file: string, source: string, statement = 'import { x } from'): Promise<string[]> {
  const [result] = await eslint.lintText(`${statement} '${source}';\nexport const y = x;\n`, {
    filePath: `${ROOT}/${file}`,
  });
  expect(result.messages.filter((m) => m.fatal)).toEqual([]); // the snippet itself parsed
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe.each<[file: string, forbidden: string, advice: RegExp]>([
  ['src/evolution/genome.ts', '../data/dataset', /imports nothing of the project/],
  ['src/evolution/genome.ts', '@tensorflow/tfjs', /tfjs belongs to nn/],
  ['src/data/subset.ts', '../evolution/rng', /take what you need as a parameter/],
  ['src/data/subset.ts', '../app/store', /take what you need as a parameter/],
  ['src/storage/idb.ts', '../experiment/records', /storage\/ imports nothing of the project/],
  ['src/nn/network.ts', '../experiment/config', /let experiment\/ pass settings/],
  ['src/nn/model/network.ts', '../../experiment/config', /let experiment\/ pass settings/],
  ['src/experiment/runner.ts', '../worker/protocol', /shared by the Worker and the CLI/],
  ['src/experiment/runner.ts', 'react', /belong to the page/],
  ['src/worker/run.worker.ts', '../app/store', /worker\/ may import experiment/],
  ['src/worker/run.worker.ts', '../cli/evolve', /worker\/ may import experiment/],
  ['src/app/lab.ts', '../experiment/runner', /send it a command/],
  ['src/app/lab.ts', '../experiment/environment', /send it a command/],
  ['src/app/lab.ts', '../worker/run.worker', /send it a command/],
  ['src/app/components/charts.tsx', '../../nn/network', /send it a command/],
  ['src/app/components/charts.tsx', '../../data', /send it a command/],
  ['src/app/store.ts', '@tensorflow/tfjs', /knows nothing of tensors/],
  ['src/cli/evolve.ts', '../app/url', /anything but the page/],
  ['src/cli/evolve.ts', '../worker/protocol', /anything but the page/],
  ['src/testing/genomes.ts', '../cli/flags', /may import the layers it helps to test/],
  ['src/data/subset.ts', '../testing/data', /import it only from \*\.test\.ts files/],
  ['src/app/url.ts', 'vitest', /vitest belongs in/],
  ['src/app/lab.ts', 'node:fs', /Node’s built-ins are not in the browser/],
  ['src/worker/run.worker.ts', 'node:zlib', /Node’s built-ins/],
  ['src/evolution/rng.ts', 'crypto', /Node’s built-ins/],
  ['src/experiment/runner.ts', 'node:path', /Node’s built-ins/],
  ['src/data/subset.ts', 'fs/promises', /Node’s built-ins/],
  ['src/nn/network.ts', 'node:worker_threads', /Node’s built-ins/],
  ['src/data/subset.test.ts', '../app/store', /take what you need as a parameter/],
  ['src/app/url.test.ts', '../experiment/runner', /send it a command/],
])('%s importing %s', (file, forbidden, advice) => {
  it('is an error that says what to do', async () => {
    const errors = await boundaryErrors(file, forbidden);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(advice);
  });
});

it('catches type-only imports and re-exports too', async () => {
  expect(await boundaryErrors('src/data/load.ts', '../evolution/rng', 'import type { x } from')).toHaveLength(1);
  expect(await boundaryErrors('src/evolution/index.ts', '../data', 'export { x } from')).toHaveLength(1);
  expect(await boundaryErrors('src/evolution/index.ts', '../data', 'export * from')).toHaveLength(1);
});

describe.each<[file: string, allowed: string]>([
  ['src/evolution/offspring.ts', './rng'],
  ['src/nn/network.ts', '../evolution/genome'],
  ['src/nn/model/network.ts', '../../data/dataset'],
  ['src/nn/model/network.ts', '../kernels/conv-relu'],
  ['src/nn/network.ts', '@tensorflow/tfjs'],
  ['src/experiment/runner.ts', '../nn/network'],
  ['src/worker/run.worker.ts', '../experiment/runner'],
  ['src/worker/run.worker.ts', '../storage/idb'],
  ['src/app/lab.ts', '../worker/protocol'],
  ['src/app/components/data-panel.tsx', '../../worker/dataset-files'],
  ['src/app/setup.ts', '../experiment/config'],
  ['src/app/store.ts', '../experiment/summary'],
  ['src/app/lab.ts', '../storage/idb'],
  ['src/app/store.ts', 'zustand'],
  ['src/cli/evolve.ts', '../experiment/runner'],
  ['src/cli/evolve.ts', 'node:fs'],
  ['src/data/node-source.ts', 'node:fs/promises'],
  ['src/nn/thread-peer.ts', 'node:worker_threads'],
  ['src/nn/parallel/thread-peer.ts', 'node:worker_threads'],
  ['src/data/subset.test.ts', '../testing/data'],
  ['src/data/subset.test.ts', 'node:zlib'],
  ['src/app/heatmap.test.ts', '../testing/genomes'],
  ['src/testing/data.ts', '../data/dataset'],
])('%s importing %s', (file, allowed) => {
  it('passes', async () => {
    expect(await boundaryErrors(file, allowed)).toEqual([]);
  });
});
