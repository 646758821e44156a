import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloneGenome, type Genome } from '../../evolution/genome';
import { Rng } from '../../evolution/rng';
import { makeBatch } from '../../data/dataset';
import { selectBackend } from './backend';
import { liveFilters } from '../../evolution/metrics';
import { range, toTfKernel } from './layout';
import { MaskedNetwork, type BatchProgress, type TrainSettings } from './network';
import { referenceLogits } from './reference-forward';
import { ConvBiasMaxPoolRelu, ConvBiasMaxPoolReluGrad } from '../kernels/fused/conv-bias-max-pool-relu';
import { ConvBiasReluAvgPool, ConvBiasReluAvgPoolGrad } from '../kernels/fused/conv-bias-relu-avg-pool';
import { mnistSlice, syntheticDataset } from '../../testing/data';
import { glorotGenome, killFilters, randomlyMasked } from '../../testing/genomes';

const MNIST = { height: 28, width: 28, channels: 1 };
const ADAM: TrainSettings = {
  epochs: 1,
  batchSize: 16,
  optimizer: 'adam',
  learningRate: 1e-3,
  momentum: 0.9,
  weightDecay: 0,
};
const SGD: TrainSettings = { ...ADAM, optimizer: 'sgd', learningRate: 0.05, momentum: 0.9, weightDecay: 4e-3 };

/** Index of the first element whose bit pattern differs (+0 vs −0 counts), or −1. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

function expectSameGenome(a: Genome, b: Genome): void {
  a.layers.forEach((l, i) => {
    const o = b.layers[i];
    expect(firstBitDifference(l.weights, o.weights), `${l.spec.name} weights`).toBe(-1);
    expect(firstBitDifference(l.bias, o.bias), `${l.spec.name} bias`).toBe(-1);
    expect(
      l.mask.every((m, k) => m === o.mask[k]),
      `${l.spec.name} mask`,
    ).toBe(true);
  });
  expect(firstBitDifference(a.output.weights, b.output.weights), 'output weights').toBe(-1);
  expect(firstBitDifference(a.output.bias, b.output.bias), 'output bias').toBe(-1);
}

/** A sparse genome with whole dead filters in every evolved layer (exercises compaction). */
function evolvedGenome(seed: number, channels = 1): Genome {
  const g = randomlyMasked(glorotGenome(channels, seed), 0.5, seed + 100);
  killFilters(g, 0, [1, 5]);
  killFilters(g, 1, [0, 7, 8]);
  killFilters(g, 2, [3, 60]);
  killFilters(g, 3, [10, 11]);
  return g;
}

/** Masked weights and dead-filter biases are exactly 0, in the genome and on the tfjs variables. */
function expectMasksHold(net: MaskedNetwork, g: Genome): void {
  const vars = tf.engine().registeredVariables;
  g.layers.forEach((l, i) => {
    const live = liveFilters(l);
    let bad = 0;
    for (let k = 0; k < l.weights.length; k++) if (!l.mask[k] && l.weights[k] !== 0) bad++;
    live.forEach((alive, f) => {
      if (!alive && l.bias[f] !== 0) bad++;
    });
    expect(bad, `${l.spec.name} genome`).toBe(0);
    // The network was built with compact: false, so the variables have the full shapes.
    const mask = toTfKernel(l, l.mask, range(l.spec.inChannels), range(l.spec.filters), (n) => new Uint8Array(n));
    const w = vars[net.variableNames[2 * i]].dataSync();
    const b = vars[net.variableNames[2 * i + 1]].dataSync();
    expect(w.length).toBe(mask.length);
    let masked = 0;
    for (let k = 0; k < w.length; k++) {
      if (mask[k]) continue;
      masked++;
      if (w[k] !== 0) bad++;
    }
    live.forEach((alive, f) => {
      if (!alive && b[f] !== 0) bad++;
    });
    expect(masked).toBeGreaterThan(0);
    expect(bad, `${l.spec.name} variables`).toBe(0);
  });
}

beforeAll(async () => {
  expect((await selectBackend('wasm')).backend).toBe('wasm');
});

describe('genome ↔ network', () => {
  it('round-trips bit-exactly (dense, sparse, compacted or not)', () => {
    for (const [g, compact] of [
      [glorotGenome(1, 1), true],
      [evolvedGenome(2), true],
      [evolvedGenome(3), false],
      [evolvedGenome(4, 3), true],
    ] as const) {
      const channels = g.layers[0].spec.inChannels;
      const size = channels === 3 ? 32 : 28;
      const input = { height: size, width: size, channels };
      const net = MaskedNetwork.fromGenome(g, input, { compact });
      expectSameGenome(net.toGenome(), g);
      net.dispose();
    }
  });

  it('does not share memory with the genome it was built from', () => {
    const g = glorotGenome(1, 5);
    const net = MaskedNetwork.fromGenome(g, MNIST);
    const before = cloneGenome(g);
    g.layers[0].weights[0] = 42;
    expectSameGenome(net.toGenome(), before);
    net.toGenome().layers[0].weights[0] = 7;
    expectSameGenome(net.toGenome(), before);
    net.dispose();
  });

  it('physically drops dead and unused filters', () => {
    const net = MaskedNetwork.fromGenome(evolvedGenome(6), MNIST, { channelMultiple: 1 });
    expect(net.physicalFilters).toEqual([30, 29, 62, 62]);
    net.dispose();
    // By default counts stay multiples of 4 (the wasm SIMD kernels' channel groups).
    const fours = MaskedNetwork.fromGenome(evolvedGenome(6), MNIST);
    expect(fours.physicalFilters).toEqual([32, 32, 64, 64]);
    fours.dispose();
    const full = MaskedNetwork.fromGenome(evolvedGenome(6), MNIST, { compact: false });
    expect(full.physicalFilters).toEqual([32, 32, 64, 64]);
    full.dispose();
  });
});

describe('forward pass equals a plain-JS forward on the genome', () => {
  const cases: [string, Genome, number, number, boolean][] = [
    ['MNIST size, sparse, compacted', evolvedGenome(7), 28, 3, true],
    ['MNIST size, sparse, not compacted', evolvedGenome(7), 28, 3, false],
    ['CIFAR size, 3 channels', evolvedGenome(8, 3), 32, 3, true],
    ['pool window 2', glorotGenome(1, 9), 28, 2, true],
  ];
  for (const [name, g, size, poolSize, compact] of cases) {
    it(name, () => {
      const channels = g.layers[0].spec.inChannels;
      const data = syntheticDataset(3, 10, size, channels);
      const net = MaskedNetwork.fromGenome(g, { height: size, width: size, channels }, { poolSize, compact });
      const batch = makeBatch(data, [0, 1, 2], 0, 3);
      const logits = net.logits(batch);
      const per = size * size * channels;
      for (let n = 0; n < 3; n++) {
        const ref = referenceLogits(g, batch.x.subarray(n * per, (n + 1) * per), size, size, channels, poolSize);
        const scale = Math.max(...ref.map(Math.abs));
        for (let k = 0; k < 10; k++) expect(Math.abs(logits[n * 10 + k] - ref[k]) / scale).toBeLessThan(1e-4);
      }
      net.dispose();
    });
  }
});

describe('one op per layer', () => {
  it('on wasm, the three conv layers run as three fused kernels, forward and in a tape step', async () => {
    const net = MaskedNetwork.fromGenome(glorotGenome(1, 40), MNIST, { tapeFreeStep: false });
    const batch = makeBatch(syntheticDataset(4, 41), range(4), 0, 4);
    const forward = (await tf.profile(() => void net.logits(batch))).kernels.map((k) => k.name);
    expect(forward.filter((n) => n.startsWith('EvoLab'))).toEqual([
      ConvBiasMaxPoolRelu,
      ConvBiasReluAvgPool,
      ConvBiasReluAvgPool,
    ]);
    expect(forward.filter((n) => /Conv2D|Pool|Relu/.test(n) && !n.startsWith('EvoLab'))).toEqual([]);
    const step = (await tf.profile(() => void net.partGradients(batch))).kernels.map((k) => k.name);
    expect(step.filter((n) => n.startsWith('EvoLab'))).toEqual([
      ConvBiasMaxPoolRelu,
      ConvBiasReluAvgPool,
      ConvBiasReluAvgPool,
      ConvBiasReluAvgPoolGrad,
      ConvBiasReluAvgPoolGrad,
      ConvBiasMaxPoolReluGrad,
    ]);
    net.dispose();
  });
});

describe('masked training', () => {
  const data = syntheticDataset(96, 11);
  const idx = range(96);

  for (const settings of [ADAM, SGD]) {
    it(`keeps masked weights and dead biases exactly 0 under ${settings.optimizer}`, async () => {
      const g = evolvedGenome(12);
      const net = MaskedNetwork.fromGenome(g, MNIST, { compact: false });
      const r = await net.train(data, idx, { ...settings, epochs: 2 }, new Rng(1));
      expect(r.images).toBe(192);
      const trained = net.toGenome();
      expectMasksHold(net, trained);
      // Live weights did move.
      const moved = trained.layers[1].weights.some((w, i) => g.layers[1].mask[i] === 1 && w !== g.layers[1].weights[i]);
      expect(moved).toBe(true);
      net.dispose();
    });
  }

  it('leaves the genes of dropped (unused) filters unchanged', async () => {
    const g = glorotGenome(1, 13);
    const conv2 = g.layers[1];
    for (let f = 0; f < 32; f++) conv2.mask.fill(0, (f * 32 + 6) * 25, (f * 32 + 7) * 25); // nobody reads conv1/6
    for (let i = 0; i < conv2.weights.length; i++) if (!conv2.mask[i]) conv2.weights[i] = 0;
    // Left out (multiple 1), or kept to round 31 up to 32 (the default): zero gradients either way.
    for (const [channelMultiple, filters] of [
      [1, 31],
      [4, 32],
    ]) {
      const net = MaskedNetwork.fromGenome(g, MNIST, { channelMultiple });
      expect(net.physicalFilters[0]).toBe(filters);
      await net.train(data, idx, ADAM, new Rng(2));
      const t = net.toGenome();
      const s = 6 * 25;
      expect(firstBitDifference(t.layers[0].weights.subarray(s, s + 25), g.layers[0].weights.subarray(s, s + 25))).toBe(
        -1,
      );
      expect(t.layers[0].weights.subarray(0, 25)).not.toEqual(g.layers[0].weights.subarray(0, 25));
      net.dispose();
    }
  });

  it('learns MNIST: the loss falls and accuracy is far above chance', async () => {
    const train = mnistSlice('train', 1024);
    const test = mnistSlice('test', 500);
    const net = MaskedNetwork.fromGenome(glorotGenome(1, 14), MNIST);
    const before = await net.evaluate(test);
    // 64 Adam steps: measured 72 % (chance is 10 %); a 6,000-image epoch reaches ~90 %.
    const r = await net.train(train, range(1024), { ...ADAM, epochs: 2, batchSize: 32 }, new Rng(3));
    expect(r.epochLosses).toHaveLength(2);
    expect(r.epochLosses[1]).toBeLessThan(r.epochLosses[0] * 0.8);
    expect(r.epochLosses[0]).toBeLessThan(Math.log(10));
    const after = await net.evaluate(test);
    expect(after.total).toBe(500);
    expect(after.accuracy).toBeGreaterThan(0.6);
    expect(after.accuracy).toBeGreaterThan(before.accuracy + 0.4);
    net.dispose();
  });

  it('trains a compacted network to the same weights and logits as the uncompacted one (up to fp noise)', async () => {
    // Half the filters dead in every layer, plus a live conv1 filter that nothing reads.
    const g = randomlyMasked(glorotGenome(1, 30), 0.6, 31);
    g.layers.forEach((l, i) =>
      killFilters(
        g,
        i,
        Array.from(range(l.spec.filters)).filter((f) => f % 2 === 1),
      ),
    );
    for (let f = 0; f < 32; f++) g.layers[1].mask.fill(0, (f * 32 + 4) * 25, (f * 32 + 5) * 25);
    const train = async (compact: boolean, channelMultiple?: number) => {
      const net = MaskedNetwork.fromGenome(g, MNIST, { compact, channelMultiple });
      await net.train(data, idx, { ...ADAM, epochs: 2 }, new Rng(8));
      const logits = net.logits(makeBatch(data, range(8), 0, 8));
      const filters = net.physicalFilters;
      const trained = net.toGenome();
      net.dispose();
      return { trained, logits, filters };
    };
    const smallest = await train(true, 1);
    const fours = await train(true);
    const full = await train(false);
    expect(smallest.filters).toEqual([15, 16, 32, 32]);
    expect(fours.filters).toEqual([16, 16, 32, 32]);
    expect(full.filters).toEqual([32, 32, 64, 64]);
    const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      return d;
    };
    for (const small of [smallest, fours]) {
      [...small.trained.layers, small.trained.output].forEach((l, i) => {
        const f = i < 4 ? full.trained.layers[i] : full.trained.output;
        const o = i < 4 ? g.layers[i] : g.output;
        // Noise relative to how far training moved the weights (Adam: ~lr per step).
        const moved = maxDiff(f.weights, o.weights);
        expect(moved).toBeGreaterThan(1e-3);
        expect(maxDiff(l.weights, f.weights) / moved, `layer ${i} weights`).toBeLessThan(1e-3);
        expect(maxDiff(l.bias, f.bias), `layer ${i} bias`).toBeLessThan(1e-5);
      });
      expect(maxDiff(small.logits, full.logits) / maxAbs(full.logits)).toBeLessThan(1e-4);
    }
    // The unread conv1 filter keeps its genes bit for bit in all three (zero gradients).
    const unread = (t: Genome) => t.layers[0].weights.subarray(4 * 25, 5 * 25);
    expect(unread(g).some((w) => w !== 0)).toBe(true);
    for (const t of [smallest, fours, full]) expect(firstBitDifference(unread(t.trained), unread(g))).toBe(-1);
  });

  it('is deterministic on wasm: same genome and seed give identical weights', async () => {
    const run = async (seed: number) => {
      const net = MaskedNetwork.fromGenome(evolvedGenome(15), MNIST);
      await net.train(data, idx, { ...ADAM, epochs: 2 }, new Rng(seed));
      const g = net.toGenome();
      net.dispose();
      return g;
    };
    const a = await run(4);
    expectSameGenome(await run(4), a);
    expect(firstBitDifference((await run(5)).layers[2].weights, a.layers[2].weights)).not.toBe(-1);
  });

  it('computes the same SGD step as the cpu backend', async () => {
    const g = evolvedGenome(16);
    const small = syntheticDataset(4, 17);
    const step = async (backend: string) => {
      await tf.setBackend(backend);
      const net = MaskedNetwork.fromGenome(g, MNIST);
      await net.train(
        small,
        range(4),
        { ...ADAM, optimizer: 'sgd', learningRate: 1, momentum: 0, batchSize: 4 },
        new Rng(6),
      );
      const t = net.toGenome();
      net.dispose();
      return t;
    };
    const cpu = await step('cpu');
    const wasm = await step('wasm');
    const delta = (t: Genome, l: number) => t.layers[l].weights.map((w, i) => w - g.layers[l].weights[i]);
    for (let l = 0; l < 4; l++) {
      const dc = delta(cpu, l);
      const dw = delta(wasm, l);
      const scale = Math.max(...dc.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      let err = 0;
      dc.forEach((d, i) => (err = Math.max(err, Math.abs(d - dw[i]))));
      expect(err / scale).toBeLessThan(1e-3);
    }
  });
});

describe('hooks, memory and errors', () => {
  const data = syntheticDataset(40, 18);

  it('reports progress per batch and stops when asked', async () => {
    const net = MaskedNetwork.fromGenome(glorotGenome(1, 19), MNIST);
    const seen: BatchProgress[] = [];
    const r = await net.train(data, range(40), { ...ADAM, epochs: 2, batchSize: 16 }, new Rng(7), {
      onBatch: async (p) => {
        seen.push(p);
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
    expect(seen.map((p) => [p.epoch, p.batch, p.batches, p.imagesSeen])).toEqual([
      [1, 1, 3, 16],
      [1, 2, 3, 32],
      [1, 3, 3, 40],
      [2, 1, 3, 56],
      [2, 2, 3, 72],
      [2, 3, 3, 80],
    ]);
    expect(seen.every((p) => Number.isFinite(p.loss) && p.loss > 0 && p.epochs === 2)).toBe(true);
    expect(r).toMatchObject({ images: 80, stopped: false });

    let calls = 0;
    const stopped = await net.train(data, range(40), { ...ADAM, epochs: 3 }, new Rng(8), {
      shouldStop: () => ++calls > 4,
    });
    expect(stopped).toMatchObject({ stopped: true, images: 56 }); // 3 batches (40) + 1 (16)
    expect(stopped.epochLosses).toHaveLength(1);
    net.dispose();
  });

  it('keeps the tensor count flat across steps and across build/train/evaluate/dispose cycles', async () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const cycle = async (settings: TrainSettings) => {
      const net = MaskedNetwork.fromGenome(evolvedGenome(20), MNIST);
      const counts: number[] = [];
      await net.train(data, range(40), { ...settings, epochs: 2, batchSize: 8 }, new Rng(9), {
        onBatch: () => void counts.push(tf.memory().numTensors),
      });
      expect(new Set(counts.slice(1)).size).toBe(1);
      await net.evaluate(data, undefined, 16);
      net.logits(makeBatch(data, [0, 1], 0, 2));
      net.toGenome();
      net.dispose();
      net.dispose();
    };
    await cycle(ADAM);
    const tensors = tf.memory().numTensors;
    const buffers = backend.numDataIds();
    for (const s of [ADAM, SGD, { ...SGD, momentum: 0 }, ADAM]) {
      await cycle(s);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(backend.numDataIds()).toBe(buffers);
    }
  });

  it('rejects bad input with clear messages', async () => {
    const g = glorotGenome(1, 21);
    expect(() => MaskedNetwork.fromGenome(g, { height: 40, width: 40, channels: 1 })).toThrow(
      /fc1 reads a 4×4 map but 40×40 input pools to 5×5/,
    );
    expect(() => MaskedNetwork.fromGenome(g, { ...MNIST, channels: 3 })).toThrow(
      /conv1 expects 1 input channels but gets 3/,
    );
    expect(() => MaskedNetwork.fromGenome(g, MNIST, { poolSize: 0 })).toThrow(/poolSize/);
    const short = cloneGenome(g);
    short.layers[2].weights = new Float32Array(5);
    expect(() => MaskedNetwork.fromGenome(short, MNIST)).toThrow(/conv3 has 5 weights/);
    expect(() => MaskedNetwork.fromGenome({ ...g, layers: g.layers.slice(1) }, MNIST)).toThrow(
      /expected layers conv,conv,conv,dense/,
    );

    const net = MaskedNetwork.fromGenome(g, MNIST);
    await expect(net.train(data, [0, 40], ADAM, new Rng(1))).rejects.toThrow(/index 40/);
    await expect(net.train(data, [0], { ...ADAM, batchSize: 0 }, new Rng(1))).rejects.toThrow(/batchSize/);
    await expect(net.train(syntheticDataset(2, 1, 32, 3), [0], ADAM, new Rng(1))).rejects.toThrow(
      /32×32×3, network expects 28×28×1/,
    );
    await expect(net.evaluate(data, [])).rejects.toThrow(/no images/);
    const running = net.train(data, range(40), { ...ADAM, batchSize: 8 }, new Rng(1), { onBatch: () => net.dispose() });
    await expect(net.train(data, [0], ADAM, new Rng(1))).rejects.toThrow(/already training/);
    await expect(running).rejects.toThrow(/after dispose/);
    expect(() => net.toGenome()).toThrow(/after dispose/);
  });
});
