import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../evolution/rng';
import { makeBatch } from '../../data/dataset';
import type { Genome } from '../../evolution/genome';
import { selectBackend } from '../model/backend';
import { splitBatch, type GradientPeer } from '../model/gradient-peer';
import { range } from '../model/layout';
import { MaskedNetwork, type TrainSettings } from '../model/network';
import { ReplicaPeer } from './replica-peer';
import type { PortPeer } from './port-peer';
import { ThreadPeer } from './thread-peer';
import { syntheticDataset } from '../../testing/data';
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
const SGD: TrainSettings = { ...ADAM, optimizer: 'sgd', learningRate: 0.05, weightDecay: 4e-3 };

function sparseGenome(seed: number): Genome {
  const g = randomlyMasked(glorotGenome(1, seed), 0.5, seed + 100);
  killFilters(g, 0, [2, 9]);
  killFilters(g, 2, [5]);
  return g;
}

function maxAbsDifference(a: Genome, b: Genome): number {
  let worst = 0;
  a.layers.forEach((l, i) =>
    l.weights.forEach((w, k) => (worst = Math.max(worst, Math.abs(w - b.layers[i].weights[k])))),
  );
  a.output.weights.forEach((w, k) => (worst = Math.max(worst, Math.abs(w - b.output.weights[k]))));
  return worst;
}

async function trainWith(g: Genome, peers: GradientPeer[], settings: TrainSettings, images: number, compact = true) {
  const data = syntheticDataset(images, 11);
  const net = MaskedNetwork.fromGenome(g, MNIST, { compact });
  try {
    const r = await net.train(data, range(images), settings, new Rng(5), { peers });
    return { genome: net.toGenome(), losses: r.epochLosses, images: r.images };
  } finally {
    net.dispose();
  }
}

beforeAll(async () => {
  expect((await selectBackend('wasm')).backend).toBe('wasm');
});

describe('splitting a batch', () => {
  const data = syntheticDataset(7, 3);
  const batch = makeBatch(data, range(7), 0, 7);

  it('gives contiguous parts, larger first, that concatenate to the batch', () => {
    const parts = splitBatch(batch, 3);
    expect(parts.map((p) => p.size)).toEqual([3, 2, 2]);
    expect(Array.from(parts.flatMap((p) => Array.from(p.labels)))).toEqual(Array.from(batch.labels));
    const joined = new Float32Array(batch.x.length);
    let at = 0;
    for (const p of parts) {
      joined.set(p.x, at);
      at += p.x.length;
    }
    expect(joined).toEqual(batch.x);
  });

  it('never makes an empty part, and rejects a non-positive part count', () => {
    const one = makeBatch(data, range(7), 0, 1);
    expect(splitBatch(one, 2)).toEqual([one]);
    expect(splitBatch(batch, 1)).toEqual([batch]);
    expect(() => splitBatch(batch, 0)).toThrow(/positive integer/);
  });
});

describe('data-parallel training equals training on one core', () => {
  // 40 images at batch 16: steps of 16, 16 and a last batch of 8, each split between the parts.
  for (const [name, settings] of [
    ['Adam', ADAM],
    ['SGD with momentum and weight decay', SGD],
  ] as const) {
    it(`${name}: one and two replica peers give the same weights up to float noise, masks held`, async () => {
      const g = sparseGenome(21);
      const alone = await trainWith(g, [], settings, 40);
      for (const peers of [[new ReplicaPeer()], [new ReplicaPeer(), new ReplicaPeer()]]) {
        try {
          const split = await trainWith(g, peers, settings, 40);
          expect(split.images).toBe(40);
          const difference = maxAbsDifference(alone.genome, split.genome);
          expect(difference).toBeLessThan(1e-5);
          expect(split.losses[0]).toBeCloseTo(alone.losses[0], 5);
          split.genome.layers.forEach((l) => l.weights.forEach((w, k) => !l.mask[k] && expect(w).toBe(0)));
        } finally {
          peers.forEach((p) => p.dispose());
        }
      }
    });
  }

  it('evaluation split between this network and its peers counts exactly what one network counts', async () => {
    const net = MaskedNetwork.fromGenome(sparseGenome(17), MNIST);
    const peers = [new ReplicaPeer(), new ReplicaPeer()];
    try {
      const data = syntheticDataset(50, 4);
      await net.train(data, range(50), ADAM, new Rng(2));
      const alone = await net.evaluate(data, undefined, 16);
      // Batches of 16, 16, 16 and 2: the last gives two parts, not three.
      const split = await net.evaluate(data, undefined, 16, peers);
      expect(split).toEqual(alone);
      expect(alone.correct).toBeGreaterThan(0);
    } finally {
      net.dispose();
      peers.forEach((p) => p.dispose());
    }
  });

  it('a batch of one image is not split, and a changed network is loaded into the peer again', async () => {
    const peer = new ReplicaPeer();
    try {
      const a = await trainWith(sparseGenome(3), [peer], { ...ADAM, batchSize: 1 }, 3);
      const loadedFirst = peer.loaded;
      expect(a.images).toBe(3);
      await trainWith(sparseGenome(4), [peer], ADAM, 20, false);
      expect(peer.loaded).not.toBe(loadedFirst);
    } finally {
      peer.dispose();
    }
  });

  it('a failing peer fails the training step with its message and leaks no tensors', async () => {
    const failing: GradientPeer = {
      loaded: null,
      load: async () => {},
      gradients: async () => {
        throw new Error('peer lost');
      },
      predict: async () => {
        throw new Error('peer lost');
      },
      dispose: () => {},
    };
    const before = tf.memory().numTensors;
    const net = MaskedNetwork.fromGenome(sparseGenome(5), MNIST);
    await expect(net.train(syntheticDataset(16, 1), range(16), ADAM, new Rng(1), { peers: [failing] })).rejects.toThrow(
      'peer lost',
    );
    await expect(net.evaluate(syntheticDataset(16, 1), undefined, 8, [failing])).rejects.toThrow('peer lost');
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a gradient peer on a worker thread', () => {
  let thread: PortPeer;
  beforeAll(async () => {
    thread = await ThreadPeer.start('wasm');
  });
  afterAll(() => thread?.dispose());

  it('computes bit-for-bit the gradients of a replica in this thread', async () => {
    const net = MaskedNetwork.fromGenome(sparseGenome(8), MNIST);
    const local = new ReplicaPeer();
    try {
      const part = makeBatch(syntheticDataset(12, 9), range(12), 0, 12);
      await thread.load('n', net.blueprint());
      await local.load('n', net.blueprint());
      const weights = net.weightArrays();
      const [a, b] = [await thread.gradients(weights, part), await local.gradients(weights, part)];
      expect(a.loss).toBe(b.loss);
      a.grads.forEach((g, k) => expect(g).toEqual(b.grads[k]));
      expect(a.grads.some((g) => g.some((v) => v !== 0))).toBe(true);
    } finally {
      net.dispose();
      local.dispose();
    }
  });

  it('predicts what the network in this thread predicts', async () => {
    const net = MaskedNetwork.fromGenome(sparseGenome(9), MNIST);
    try {
      const data = syntheticDataset(30, 6);
      const alone = await net.evaluate(data, undefined, 10);
      expect(await net.evaluate(data, undefined, 10, [thread])).toEqual(alone);
    } finally {
      net.dispose();
    }
  });

  it('trains like the replica in this thread', async () => {
    const g = sparseGenome(13);
    const local = new ReplicaPeer();
    try {
      const [a, b] = [await trainWith(g, [thread], ADAM, 40), await trainWith(g, [local], ADAM, 40)];
      expect(maxAbsDifference(a.genome, b.genome)).toBe(0);
    } finally {
      local.dispose();
    }
  });

  it('reports a request it cannot serve, and keeps serving', async () => {
    const fresh = await ThreadPeer.start('wasm');
    try {
      const part = makeBatch(syntheticDataset(2, 1), range(2), 0, 2);
      await expect(fresh.gradients([], part)).rejects.toThrow(
        /gradient thread: gradient peer: gradients\(\) before load\(\)/,
      );
      const net = MaskedNetwork.fromGenome(sparseGenome(2), MNIST);
      await fresh.load('m', net.blueprint());
      await expect(fresh.gradients([new Float32Array(3)], part)).rejects.toThrow(
        /setWeightArrays: 1 arrays for 10 variables/,
      );
      expect((await fresh.gradients(net.weightArrays(), part)).grads).toHaveLength(10);
      net.dispose();
    } finally {
      fresh.dispose();
    }
    await expect(fresh.load('x', sparseGenome(1) as never)).rejects.toThrow(/disposed/);
  });
});
