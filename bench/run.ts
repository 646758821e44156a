/**
 * `npm run bench`: how fast EvoLab trains, side by side with PyTorch on the same machine.
 *
 *   npm run bench [-- --quick] [-- --full] [-- --no-browser] [-- --no-torch] [-- --rounds N]
 *
 * Prints a table and writes bench/results/<timestamp>.json. Not a test: nothing here asserts.
 *  - Node wasm: ancestor training (batch 64, Adam) and inference (batch 256) images/s, the
 *    per-kernel time of a training step, other batch sizes, and two processes at once.
 *  - One epoch (6,000 images, the 10 % MNIST subset) for networks of increasing cluster
 *    efficiency (whole filters dead → compacted tensors).
 *  - PyTorch (bench/torch_lenet.py with Debian's python3-torch, 2 threads), the same network,
 *    optimiser and batch; run in alternation with Node so that both see the same load.
 *  - Debian's Chromium: wasm, webgl, webgpu in a module Worker, and page → first trained batch.
 *  - --full: the 13-generation sexual MNIST run of the CLI (6,000 images, 2 epochs/generation).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { Rng, type Genome } from '../src/evolution';
import type { KernelMaskSummary } from '../src/experiment/records';
import { selectBackend } from '../src/nn/model/backend';
import { compactKeep, range } from '../src/nn/model/layout';
import type { GradientPeer } from '../src/nn/model/gradient-peer';
import { MaskedNetwork } from '../src/nn/model/network';
import { ThreadPeer } from '../src/nn/parallel/thread-peer';
import { runBrowserBench, type BrowserCase, type BrowserResult } from './browser';
import { KernelProfiler, type KernelStat } from './kernel-profile';
import type { KernelComparison } from './kernels';
import {
  ancestorGenome,
  evolvedGenome,
  genomeFromKernelMasks,
  MNIST_SHAPE,
  PAPER_TRAINING,
  randomImages,
  throughput,
  type Throughput,
} from './lenet';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const PYTHON = '/usr/bin/python3';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    full: { type: 'boolean' },
    'no-browser': { type: 'boolean' },
    'no-torch': { type: 'boolean' },
    rounds: { type: 'string' },
  },
});
const quick = flags.quick ?? false;
const rounds = Number(flags.rounds ?? (quick ? 1 : 2));
const BATCHES = quick ? 10 : 25;
const EPOCH_IMAGES = 6000;
/** Fractions of filters kept per layer: cluster efficiency ≈ 1, 2, 4, 10, 20×. */
const FRACTIONS = [1, 0.71, 0.5, 0.316, 0.22];

const log = (s: string) => process.stderr.write(`${s}\n`);
const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));

// ---------------------------------------------------------------- PyTorch
interface TorchResult {
  torch: string;
  threads: number;
  filters: number[];
  trainImagesPerSecond: number;
  inferImagesPerSecond: number;
  firstStepSeconds: number;
}

async function torchAvailable(): Promise<string | null> {
  if (flags['no-torch']) return 'skipped (--no-torch)';
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    await run(PYTHON, ['-c', 'import torch']);
    return null;
  } catch {
    return `PyTorch is not installed for ${PYTHON} (apt-get install -y python3-torch)`;
  }
}

async function torch(filters: number[], batches: number, threads = 2): Promise<TorchResult> {
  const { stdout } = await run(
    PYTHON,
    [
      path.join(here, 'torch_lenet.py'),
      '--threads',
      String(threads),
      '--batches',
      String(batches),
      '--filters',
      filters.join(','),
    ],
    {
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as TorchResult;
}

// ---------------------------------------------------------------- Node, in this process
async function kernelProfile(batches: number): Promise<{ stepMs: number; kernelMs: number; kernels: KernelStat[] }> {
  const net = MaskedNetwork.fromGenome(ancestorGenome(), MNIST_SHAPE);
  const data = randomImages(64 * batches, 3);
  try {
    await net.train(data, range(128), PAPER_TRAINING, new Rng(1));
    const p = new KernelProfiler('wasm', true).install();
    try {
      const r = await net.train(data, range(64 * batches), PAPER_TRAINING, new Rng(2));
      return {
        stepMs: (r.seconds * 1000) / batches,
        kernelMs: p.totalMs(batches),
        kernels: p.table(batches).filter((k) => k.ms >= 0.05),
      };
    } finally {
      p.uninstall();
    }
  } finally {
    net.dispose();
  }
}

/** A network whose epoch is timed: the ancestor shrunk uniformly, or one a real run evolved. */
interface EpochNetwork {
  label: string;
  genome: Genome;
  clusterEfficiency: number;
}

function epochNetworks(quick: boolean): EpochNetwork[] {
  const uniform = (quick ? [1, 0.316] : FRACTIONS).map((f): EpochNetwork => {
    const { genome, clusterEfficiency } = evolvedGenome(f);
    return { label: f === 1 ? 'ancestor' : `every layer ${Math.round(f * 100)} %`, genome, clusterEfficiency };
  });
  const fixture = JSON.parse(readFileSync(path.join(here, 'evolved-mnist.json'), 'utf8')) as {
    networks: EvolvedNetwork[];
  };
  const evolved = fixture.networks.map((n): EpochNetwork => {
    const { genome, clusterEfficiency } = genomeFromKernelMasks(n.kernelMasks);
    // The fixture's masks must rebuild the very network the run recorded.
    if (Math.abs(clusterEfficiency - n.clusterEfficiency) > 1e-9)
      throw new Error(
        `bench/evolved-mnist.json: generation ${n.generation} #${n.individual} rebuilds to ${clusterEfficiency}× cluster efficiency, the run recorded ${n.clusterEfficiency}×`,
      );
    return { label: `run, gen ${n.generation} #${n.individual}`, genome, clusterEfficiency };
  });
  return [...uniform, ...evolved];
}

interface EvolvedNetwork {
  generation: number;
  individual: number;
  clusterEfficiency: number;
  kernelMasks: KernelMaskSummary[];
}

async function epochSeconds(
  network: EpochNetwork,
  peers: readonly GradientPeer[] = [],
): Promise<{ liveFilters: number[]; physicalFilters: number[]; seconds: number }> {
  const net = MaskedNetwork.fromGenome(network.genome, MNIST_SHAPE);
  const data = randomImages(EPOCH_IMAGES, 5);
  try {
    await net.train(data, range(128), PAPER_TRAINING, new Rng(1), { peers }); // warm-up
    const r = await net.train(data, range(EPOCH_IMAGES), PAPER_TRAINING, new Rng(2), { peers });
    // PyTorch runs the filters that matter, without our rounding up to fours.
    const liveFilters = compactKeep(network.genome.layers).out.map((k) => k.length);
    return { liveFilters, physicalFilters: net.physicalFilters, seconds: r.seconds };
  } finally {
    net.dispose();
  }
}

/**
 * The ceiling: GFLOP/s of the convolutions that take most of a step (conv2 and conv3 forward at
 * batch 64), on one wasm thread (our Winograd kernels, 128-bit SIMD) and in PyTorch (oneDNN),
 * counted as a direct convolution's FLOPs (Winograd does fewer multiplications).
 * Shape: [images, height, width, channels, kernel size, filters].
 */
type ConvShape = [number, number, number, number, number, number];
const CONV_SHAPES: ConvShape[] = [
  [64, 14, 14, 32, 5, 32],
  [64, 7, 7, 32, 5, 64],
];
const convFlops = ([n, h, w, c, k, f]: ConvShape): number => 2 * n * h * w * c * k * k * f;

function wasmConvGflops(shape: ConvShape): number {
  const [n, h, w, c, k, f] = shape;
  const [x, filter] = [tf.randomUniform([n, h, w, c]) as tf.Tensor4D, tf.randomUniform([k, k, c, f]) as tf.Tensor4D];
  try {
    let best = Infinity;
    for (let i = 0; i < 11; i++) {
      const t0 = performance.now();
      // Braces: a typed array returned from tidy() is walked element by element as a tensor container.
      tf.tidy(() => {
        tf.conv2d(x, filter, 1, 'same').dataSync();
      });
      if (i > 0) best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return convFlops(shape) / best / 1e9;
  } finally {
    tf.dispose([x, filter]);
  }
}

async function torchConvGflops(shape: ConvShape, threads: number): Promise<number> {
  const { stdout } = await run(PYTHON, [
    path.join(here, 'torch_lenet.py'),
    '--conv',
    shape.join(','),
    '--threads',
    String(threads),
  ]);
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { gflops: number }).gflops;
}

// ---------------------------------------------------------------- Node, child processes
interface ChildResult extends Throughput {
  startedAt: number;
  finishedAt: number;
}

function child(batches: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'node-train.ts'), String(batches)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`node-train.ts exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

/** In a child process: the stock kernels must be captured before EvoLab registers its own. */
async function kernelComparison(): Promise<KernelComparison[]> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(here, 'kernels.ts'), '30', '--json'], {
    cwd: root,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as KernelComparison[];
}

// ---------------------------------------------------------------- the 13-generation run
async function fullRun(): Promise<{ seconds: number; out: string; load: number[]; lastGeneration: unknown }> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'evolab-13g-'));
  const args = [
    'src/cli/evolve.ts',
    '--dataset',
    'mnist',
    '--data-dir',
    path.resolve(root, '../shared/datasets'),
    '--mode',
    'sexual',
    '--generations',
    '13',
    '--epochs',
    '2',
    '--train-subset',
    '6000',
    '--seed',
    '1',
    '--out',
    out,
    '--quiet',
  ];
  if (process.env.EVOLAB_DATASETS) args[4] = process.env.EVOLAB_DATASETS;
  log(`13-generation run: tsx ${args.join(' ')}`);
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: 'inherit' });
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`evolve exited with ${code}`))));
  });
  const report = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')) as { records: unknown[] };
  return {
    seconds: (Date.now() - t0) / 1000,
    out,
    load: load(),
    lastGeneration: report.records[report.records.length - 1],
  };
}

// ---------------------------------------------------------------- main
const fmt = (n: number | undefined, d = 0) => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(d));

async function main() {
  const started = new Date();
  const results: Record<string, unknown> = {
    startedAt: started.toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    loadAtStart: load(),
    settings: {
      batchSize: 64,
      optimizer: 'adam',
      learningRate: 1e-3,
      trainBatches: BATCHES,
      epochImages: EPOCH_IMAGES,
      rounds,
    },
  };
  const choice = await selectBackend('wasm');
  log(`Node backend ${choice.backend}: ${choice.reason}; load ${load().join(' ')}`);
  const torchMissing = await torchAvailable();
  if (torchMissing) log(`PyTorch column skipped: ${torchMissing}`);

  // Data-parallel: this thread and one worker thread per further core share every step.
  const threads = os.availableParallelism();
  const peers = threads > 1 ? await ThreadPeer.startMany(threads - 1, 'wasm') : [];

  // 1. Ancestor throughput, Node wasm (one thread, then all cores) vs PyTorch, alternating.
  const nodeRounds: Throughput[] = [];
  const threadRounds: Throughput[] = [];
  const torchRounds: TorchResult[] = [];
  const torch1Rounds: TorchResult[] = [];
  for (let i = 0; i < rounds; i++) {
    log(`round ${i + 1}/${rounds}: Node wasm…`);
    nodeRounds.push(await throughput(ancestorGenome(), { batches: BATCHES }));
    if (peers.length) {
      log(`round ${i + 1}/${rounds}: Node wasm, ${threads} threads…`);
      threadRounds.push(await throughput(ancestorGenome(), { batches: BATCHES, peers }));
    }
    if (!torchMissing) {
      log(`round ${i + 1}/${rounds}: PyTorch…`);
      torchRounds.push(await torch([32, 32, 64, 64], BATCHES * 2));
      // One thread: like-for-like with one wasm thread, and robust when another job holds a core.
      torch1Rounds.push(await torch([32, 32, 64, 64], BATCHES, 1));
    }
  }
  const best = <T>(xs: T[], key: (x: T) => number) => xs.reduce((a, b) => (key(b) > key(a) ? b : a));
  const nodeBest = best(nodeRounds, (r) => r.trainImagesPerSecond);
  const threadBest = threadRounds.length ? best(threadRounds, (r) => r.trainImagesPerSecond) : undefined;
  const torchBest = torchRounds.length ? best(torchRounds, (r) => r.trainImagesPerSecond) : undefined;
  const torch1Best = torch1Rounds.length ? best(torch1Rounds, (r) => r.trainImagesPerSecond) : undefined;
  results.ancestor = {
    nodeWasm: nodeRounds,
    nodeWasmThreads: { threads, rounds: threadRounds },
    torch: torchMissing ?? torchRounds,
    torchOneThread: torchMissing ?? torch1Rounds,
    loadAfter: load(),
  };

  // 1b. The ceiling: the convolutions that dominate a step.
  log('convolution ceiling…');
  const ceiling = [];
  for (const shape of CONV_SHAPES) {
    ceiling.push({
      shape,
      wasmOneThread: wasmConvGflops(shape),
      torchOneThread: torchMissing ? undefined : await torchConvGflops(shape, 1),
      torchTwoThreads: torchMissing ? undefined : await torchConvGflops(shape, 2),
    });
  }
  results.convolutionCeiling = ceiling;

  // 2. Where a training step's time goes.
  log('per-kernel profile…');
  const profile = await kernelProfile(quick ? 5 : 10);
  results.kernelProfile = profile;
  log('replaced kernels against what they replace…');
  const kernels = await kernelComparison();
  results.kernelComparison = kernels;

  // 3. Other batch sizes (the default stays 64).
  const batchSizes: { batchSize: number; trainImagesPerSecond: number }[] = [];
  for (const bs of [32, 128, 256]) {
    log(`batch ${bs}…`);
    const r = await throughput(ancestorGenome(), {
      batches: Math.max(3, Math.round((BATCHES * 64) / bs / 2)),
      batchSize: bs,
      inferBatches: 1,
    });
    batchSizes.push({ batchSize: bs, trainImagesPerSecond: r.trainImagesPerSecond });
  }
  results.batchSizes = batchSizes;

  // 4. Both cores: one process, then two at once.
  log('one Node process alone, then two at once…');
  const alone = await child(BATCHES);
  const pair = await Promise.all([child(BATCHES), child(BATCHES)]);
  const pairSum = pair.reduce((a, r) => a + r.trainImagesPerSecond, 0);
  results.processes = { alone, pair, pairTrainImagesPerSecond: pairSum, load: load() };

  // 5. One epoch by cluster efficiency: `rounds` rounds over all networks, the fastest of each.
  // The ratio to the ancestor is the target, and one slow minute on this shared VM moved a
  // single epoch by up to 30 %; rounds interleave so that a slow spell does not hit one network only.
  type Epoch = {
    label: string;
    clusterEfficiency: number;
    liveFilters: number[];
    physicalFilters: number[];
    seconds: number;
    threadSeconds?: number;
    torchSeconds?: number;
  };
  const networks = epochNetworks(quick);
  const epochs: Epoch[] = [];
  const fastest = (a: number | undefined, b: number | undefined) =>
    a === undefined ? b : b === undefined ? a : Math.min(a, b);
  for (let round = 1; round <= rounds; round++) {
    for (const [i, network] of networks.entries()) {
      log(`round ${round}/${rounds}: epoch of ${EPOCH_IMAGES} images, ${network.label}…`);
      const e = await epochSeconds(network);
      const threaded = peers.length ? await epochSeconds(network, peers) : undefined;
      const t = torchMissing ? undefined : await torch(e.liveFilters, BATCHES * 2);
      const now: Epoch = {
        label: network.label,
        clusterEfficiency: network.clusterEfficiency,
        ...e,
        threadSeconds: threaded?.seconds,
        torchSeconds: t ? EPOCH_IMAGES / t.trainImagesPerSecond : undefined,
      };
      const before = epochs[i];
      epochs[i] = before
        ? {
            ...now,
            seconds: Math.min(before.seconds, now.seconds),
            threadSeconds: fastest(before.threadSeconds, now.threadSeconds),
            torchSeconds: fastest(before.torchSeconds, now.torchSeconds),
          }
        : now;
    }
  }
  for (const p of peers) p.dispose();
  results.epochByClusterEfficiency = epochs;

  // 6. Browsers.
  let browser: BrowserResult[] = [];
  if (!flags['no-browser']) {
    const cases: BrowserCase[] = [
      { backend: 'wasm', batches: quick ? 5 : 15, inferBatches: 4, inferBatchSize: 256, timeoutSeconds: 240 },
      {
        backend: 'wasm',
        batches: quick ? 5 : 15,
        inferBatches: 4,
        inferBatchSize: 256,
        timeoutSeconds: 240,
        peers: os.availableParallelism() - 1,
      },
      { backend: 'webgl', batches: 3, inferBatches: 1, inferBatchSize: 64, timeoutSeconds: 300 },
      // SwiftShader: a CPU fallback, ~40× slower than wasm; a few batches only.
      { backend: 'webgpu', batches: 1, inferBatches: 1, inferBatchSize: 64, timeoutSeconds: 400 },
    ];
    // WebGPU on a hardware adapter, whenever there is one (issue 21): the first machine with a
    // GPU measures it; here the row says there is none, and why. Cheap, so also with --quick.
    const realGpu: BrowserCase = {
      backend: 'webgpu',
      realGpu: true,
      batches: 15,
      inferBatches: 4,
      inferBatchSize: 256,
      timeoutSeconds: 240,
    };
    browser = await runBrowserBench([...(quick ? cases.slice(0, 2) : cases), realGpu], log);
  }
  results.browser = browser;

  if (flags.full) results.full13Generations = await fullRun();
  results.loadAtEnd = load();
  results.finishedAt = new Date().toISOString();

  // ---------------------------------------------------------------- table
  const torchTrain = torchBest?.trainImagesPerSecond;
  const torchInfer = torchBest?.inferImagesPerSecond;
  const ratio = (x: number) => (torchTrain ? `${(x / torchTrain).toFixed(2)}×` : '—');
  const rows: string[][] = [['backend', 'train img/s', 'infer img/s', 'train vs PyTorch', 'first step s', 'note']];
  rows.push([
    'Node wasm',
    fmt(nodeBest.trainImagesPerSecond),
    fmt(nodeBest.inferImagesPerSecond),
    ratio(nodeBest.trainImagesPerSecond),
    fmt(nodeBest.firstStepSeconds, 2),
    `best of ${rounds}`,
  ]);
  if (threadBest)
    rows.push([
      `Node wasm ×${threads} threads`,
      fmt(threadBest.trainImagesPerSecond),
      fmt(threadBest.inferImagesPerSecond),
      ratio(threadBest.trainImagesPerSecond),
      fmt(threadBest.firstStepSeconds, 2),
      `data-parallel; best of ${rounds}`,
    ]);
  rows.push([
    'Node wasm ×2 processes',
    fmt(pairSum),
    '—',
    ratio(pairSum),
    '—',
    `sum; alone ${fmt(alone.trainImagesPerSecond)}`,
  ]);
  for (const b of browser) {
    const label = `Chromium ${b.backend}${b.realGpu ? ' (GPU adapter)' : ''}${b.peers ? ` + ${b.peers} helper Worker${b.peers > 1 ? 's' : ''}` : ''}`;
    if ('error' in b) rows.push([label, '—', '—', '—', '—', b.error.slice(0, 60)]);
    else if ('none' in b) rows.push([label, '—', '—', '—', '—', `none here: ${b.none}`]);
    else
      rows.push([
        label,
        fmt(b.trainImagesPerSecond, b.trainImagesPerSecond < 100 ? 1 : 0),
        fmt(b.inferImagesPerSecond, b.inferImagesPerSecond < 100 ? 1 : 0),
        ratio(b.trainImagesPerSecond),
        fmt(b.firstStepSeconds, 2),
        `page→first step ${fmt(b.pageToFirstStepSeconds, 2)} s; ${b.trainBatches} batches, infer batch ${b.inferBatchSize}`,
      ]);
  }
  rows.push([
    'PyTorch 2 threads',
    fmt(torchTrain),
    fmt(torchInfer),
    torchTrain ? '1.00×' : '—',
    fmt(torchBest?.firstStepSeconds, 2),
    torchMissing ?? `torch ${torchBest?.torch}; best of ${rounds}`,
  ]);
  if (torch1Best)
    rows.push([
      'PyTorch 1 thread',
      fmt(torch1Best.trainImagesPerSecond),
      fmt(torch1Best.inferImagesPerSecond),
      ratio(torch1Best.trainImagesPerSecond),
      fmt(torch1Best.firstStepSeconds, 2),
      `Node wasm / this: ${(nodeBest.trainImagesPerSecond / torch1Best.trainImagesPerSecond).toFixed(2)}×`,
    ]);
  const table = (rs: string[][]) => {
    const w = rs[0].map((_, c) => Math.max(...rs.map((r) => r[c].length)));
    return rs
      .map(
        (r, i) =>
          `| ${r.map((x, c) => x.padEnd(w[c])).join(' | ')} |${i === 0 ? `\n|${w.map((n) => '-'.repeat(n + 2)).join('|')}|` : ''}`,
      )
      .join('\n');
  };
  const out: string[] = [];
  out.push(
    `EvoLab bench ${started.toISOString()} — ${os.cpus().length} cores, load at start ${(results.loadAtStart as number[]).join(' ')}, at end ${load().join(' ')}`,
  );
  out.push('', 'Ancestor LeNet (143,136 synapses), Adam, batch 64; inference batch 256 unless noted', table(rows));
  const grows = [
    [
      'convolution (images, h, w, c, k, filters)',
      'wasm 1 thread GFLOP/s (direct-equivalent)',
      'PyTorch 1 thread',
      'PyTorch 2 threads',
      'wasm / PyTorch 2 threads',
    ],
  ];
  for (const g of ceiling)
    grows.push([
      g.shape.join(', '),
      fmt(g.wasmOneThread, 1),
      fmt(g.torchOneThread, 1),
      fmt(g.torchTwoThreads, 1),
      g.torchTwoThreads
        ? `${(g.wasmOneThread / g.torchTwoThreads).toFixed(2)}× (×${threads} cores: ${((threads * g.wasmOneThread) / g.torchTwoThreads).toFixed(2)}×)`
        : '—',
    ]);
  out.push('', 'The ceiling: conv2 and conv3 forward at batch 64, one call (best of 10)', table(grows));
  out.push(
    '',
    `Other batch sizes, Node wasm: ${batchSizes.map((b) => `${b.batchSize}: ${fmt(b.trainImagesPerSecond)} img/s`).join(', ')}`,
  );
  const base = epochs[0];
  const filtersKept = (physical: number[], live: number[]) =>
    physical.join('/') === live.join('/') ? physical.join('/') : `${physical.join('/')} (live ${live.join('/')})`;
  const erows = [
    [
      'network',
      'cluster eff.',
      'filters kept',
      'wasm s/epoch',
      'vs ancestor',
      `wasm ×${threads} threads s/epoch`,
      'PyTorch s/epoch',
      'PyTorch vs its ancestor',
      'wasm vs PyTorch',
    ],
  ];
  for (const e of epochs)
    erows.push([
      e.label,
      `${e.clusterEfficiency.toFixed(1)}×`,
      filtersKept(e.physicalFilters, e.liveFilters),
      fmt(e.seconds, 1),
      `${(e.seconds / base.seconds).toFixed(2)}`,
      fmt(e.threadSeconds, 1),
      fmt(e.torchSeconds, 1),
      e.torchSeconds && base.torchSeconds ? `${(e.torchSeconds / base.torchSeconds).toFixed(2)}` : '—',
      e.torchSeconds ? `${(e.torchSeconds / e.seconds).toFixed(2)}×` : '—',
    ]);
  out.push(
    '',
    `One epoch of ${EPOCH_IMAGES} images (batch 64) by cluster efficiency, fastest of ${rounds} rounds: the ancestor with every layer shrunk alike, then the first networks of a real sexual run to reach 10× (bench/evolved-mnist.json)`,
    table(erows),
  );
  out.push(
    '',
    `Training step on Node wasm: ${fmt(profile.stepMs, 1)} ms, of which in tfjs kernels ${fmt(profile.kernelMs, 1)} ms (the rest: our fused layers, which the tape-free step calls directly rather than as kernels, and JS); top kernels (ms/step):`,
  );
  out.push(
    ...profile.kernels
      .slice(0, 12)
      .map((k) => `  ${fmt(k.ms, 2).padStart(7)}  ${k.kernel}${k.calls !== 1 ? ` ×${fmt(k.calls, 0)}` : ''}`),
  );
  out.push('', 'Replaced wasm kernels, fastest of 30 calls (ms): before → EvoLab');
  out.push(
    ...kernels.map(
      (k) =>
        `  ${k.kernel.padEnd(27)} ${k.shape.padEnd(34)} ${fmt(k.beforeMs ?? undefined, 2).padStart(7)} → ${fmt(k.afterMs, 2).padStart(6)}  (before: ${k.before})`,
    ),
  );
  if (results.full13Generations) {
    const f = results.full13Generations as { seconds: number; load: number[] };
    out.push(
      '',
      `13-generation sexual MNIST run (6,000 images, 2 epochs/generation): ${(f.seconds / 60).toFixed(1)} min (load at end ${f.load.join(' ')})`,
    );
  }
  const text = out.join('\n');
  process.stdout.write(`${text}\n`);

  const dir = path.join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ ...results, table: text }, null, 1));
  log(`wrote ${path.relative(root, file)}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  },
);
