/**
 * `npm run ancestors`: trains the ancestors (generation 1) that the browser lab ships, so a demo
 * can start evolving at once. Each is a serialised checkpoint of generation 1 written to
 * public/ancestors/<dataset>.json, with a small <dataset>.meta.json the page reads to say what it
 * is. The settings default to the lab's default setup (labSubsets and the dataset's defaults)
 * with a fixed seed, so the shipped ancestor is the one the page would train itself.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { registeredDataset, REGISTERED_NAMES, type RegisteredName } from '../data';
import { defaultConfig, resolveConfig } from '../experiment/config';
import { summariseData } from '../experiment/run-data';
import { loadRunData } from './run-data';
import { environmentInfo, startBackend } from '../experiment/environment';
import type { Checkpoint } from '../experiment/records';
import { ExperimentRunner } from '../experiment/runner';
import { ThreadPeer } from '../nn/parallel/thread-peer';
import { serialiseCheckpoint } from '../experiment/serialise';
import { labSubsets, type AncestorMeta } from '../experiment/ancestor';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const HELP = `usage: npm run ancestors -- [--dataset mnist|cifar10|fashion-mnist|kmnist|emnist-digits|all] [--data-dir DIR] [--out DIR]
                              [--train-subset N|all] [--test-subset N|all] [--epochs E] [--seed S]

Trains generation 1 of each dataset (all: MNIST and CIFAR-10) and writes OUT/<dataset>.json (a
checkpoint the lab loads from /ancestors/) and OUT/<dataset>.meta.json, which says which dataset
(and image shape and classes) it fits. Defaults: the lab's default setup (MNIST and its replacements 6000
training images, CIFAR-10 5000; 2000 test images; the dataset's ancestor epochs; seed 1),
data from public/data (run \`npm run data\` first), output public/ancestors.`;

async function writeAtomic(file: string, text: string) {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

const subset = (raw: string | undefined, fallback: number | null) =>
  raw === undefined ? fallback : raw === 'all' ? null : Number(raw);

async function train(
  dataset: RegisteredName,
  flags: Record<string, string | undefined>,
  dataDir: string,
  outDir: string,
) {
  // The lab's default setup: its subsets and the dataset's defaults of ALGORITHM.md.
  const lab = { ...defaultConfig(dataset), ...labSubsets(dataset) };
  const config = resolveConfig({
    dataset,
    mode: 'asexual',
    generations: 1,
    ancestorEpochs: flags.epochs !== undefined ? Number(flags.epochs) : lab.ancestorEpochs,
    trainSubset: subset(flags['train-subset'], lab.trainSubset),
    testSubset: subset(flags['test-subset'], lab.testSubset),
    seed: flags.seed !== undefined ? Number(flags.seed) : lab.seed,
    backend: 'wasm',
  });
  // The folder holding mnist/, cifar-10/… (file names include that part).
  const folder = registeredDataset(dataset).folder;
  if (!existsSync(path.join(dataDir, folder)))
    throw new Error(
      `no ${folder} folder in ${dataDir}: run \`npm run data -- --dataset ${dataset}\` first, or pass --data-dir`,
    );
  const backend = await startBackend(config.backend);
  // Every core shares each step (src/nn/model/gradient-peer.ts).
  const threads = availableParallelism();
  const peers = await ThreadPeer.startMany(threads - 1, 'wasm');
  process.stderr.write(
    `${dataset}: ${config.trainSubset ?? 'all'} training images, ${config.ancestorEpochs} epochs, seed ${config.seed}, on ${backend.backend} × ${threads} threads\n`,
  );
  const { train: trainSet, test: testSet } = await loadRunData(dataset, dataDir);
  let checkpoint: Checkpoint | null = null;
  let last = 0;
  const runner = new ExperimentRunner(config, {
    train: trainSet,
    test: testSet,
    environment: environmentInfo(backend, threads),
    peers,
    emit: (e) => {
      if (e.type === 'progress' && e.phase === 'train' && (Date.now() - last > 5000 || e.batch === e.batches)) {
        last = Date.now();
        process.stderr.write(
          `  epoch ${e.epoch}/${e.epochs} batch ${e.batch}/${e.batches} loss ${e.loss?.toFixed(4) ?? '—'}\n`,
        );
      }
    },
    onCheckpoint: (c) => {
      checkpoint = c;
    },
  });
  await runner.run();
  for (const p of peers) p.dispose();
  if (!checkpoint) throw new Error(`${dataset}: the runner finished without a checkpoint`);
  const c = checkpoint as Checkpoint;
  const record = c.records[0];
  const data = summariseData({ train: trainSet, test: testSet });
  const meta: AncestorMeta = {
    dataset,
    input: { height: data.height, width: data.width, channels: data.channels },
    classNames: data.classNames,
    seed: config.seed,
    trainSubset: config.trainSubset,
    testSubset: config.testSubset,
    ancestorEpochs: config.ancestorEpochs,
    batchSize: config.training.batchSize,
    testAccuracy: record.testAccuracy,
    backend: backend.backend,
    createdAt: new Date().toISOString(),
  };
  await mkdir(outDir, { recursive: true });
  await writeAtomic(path.join(outDir, `${dataset}.json`), JSON.stringify(serialiseCheckpoint(c)));
  await writeAtomic(path.join(outDir, `${dataset}.meta.json`), JSON.stringify(meta, null, 1) + '\n');
  process.stderr.write(
    `${dataset}: test accuracy ${(100 * record.testAccuracy).toFixed(2)} % → ${path.join(outDir, `${dataset}.json`)}\n`,
  );
}

async function main(argv: string[]) {
  const { values: flags } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean' },
      dataset: { type: 'string' },
      'data-dir': { type: 'string' },
      out: { type: 'string' },
      'train-subset': { type: 'string' },
      'test-subset': { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  if (flags.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const which = flags.dataset ?? 'all';
  if (which !== 'all' && !(REGISTERED_NAMES as string[]).includes(which))
    throw new Error(`--dataset must be one of ${REGISTERED_NAMES.join(', ')} or all (got ${which})`);
  const datasets: RegisteredName[] = which === 'all' ? ['mnist', 'cifar10'] : [which as RegisteredName];
  const dataDir = path.resolve(flags['data-dir'] ?? path.join(ROOT, 'public/data'));
  const outDir = path.resolve(flags.out ?? path.join(ROOT, 'public/ancestors'));
  for (const d of datasets) await train(d, flags as Record<string, string | undefined>, dataDir, outDir);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
    process.exit(1);
  },
);
