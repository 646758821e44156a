import { describe, expect, it } from 'vitest';
import { emptyGenome, lenetSpecs, Rng } from '../evolution';
import { flagsToHex, hexToFlags, kernelAliveFlags, summariseKernelMasks } from './kernel-masks';
import { deserialiseGenome, serialiseGenome, deserialiseCheckpoint } from './serialise';

function randomGenome(seed: number) {
  const g = emptyGenome(lenetSpecs(1), 10);
  const rng = new Rng(seed);
  for (const l of g.layers) {
    for (let i = 0; i < l.weights.length; i++) {
      l.mask[i] = rng.next() < 0.3 ? 1 : 0;
      l.weights[i] = l.mask[i] ? rng.normal() : 0;
    }
    for (let f = 0; f < l.bias.length; f++) l.bias[f] = rng.normal();
  }
  for (let i = 0; i < g.output.weights.length; i++) g.output.weights[i] = rng.normal();
  return g;
}

describe('genome serialisation', () => {
  it('round-trips weights, masks and biases bit for bit', () => {
    const g = randomGenome(3);
    const back = deserialiseGenome(JSON.parse(JSON.stringify(serialiseGenome(g))));
    for (let l = 0; l < g.layers.length; l++) {
      expect(back.layers[l].spec).toEqual(g.layers[l].spec);
      expect(Array.from(back.layers[l].weights)).toEqual(Array.from(g.layers[l].weights));
      expect(Array.from(back.layers[l].mask)).toEqual(Array.from(g.layers[l].mask));
      expect(Array.from(back.layers[l].bias)).toEqual(Array.from(g.layers[l].bias));
    }
    expect(Array.from(back.output.weights)).toEqual(Array.from(g.output.weights));
  });

  it('refuses a damaged checkpoint with a clear message', () => {
    const s = serialiseGenome(randomGenome(4));
    s.layers[1].mask = s.layers[0].mask;
    expect(() => deserialiseGenome(s)).toThrow(/checkpoint is damaged: layer conv2/);
    expect(() => deserialiseCheckpoint({ hello: 1 })).toThrow(/not an EvoLab checkpoint/);
  });
});

describe('kernel mask summaries', () => {
  it('marks a kernel alive when any of its synapses is alive', () => {
    const g = emptyGenome(lenetSpecs(1), 10);
    const conv2 = g.layers[1];
    conv2.mask.fill(0);
    conv2.mask[0] = 1; // filter 0, channel 0
    conv2.mask[25 * 33 + 24] = 1; // filter 1, channel 1, last synapse of the kernel
    const flags = kernelAliveFlags(conv2);
    expect(flags.length).toBe(32 * 32);
    expect(Array.from(flags.subarray(0, 2))).toEqual([1, 0]);
    expect(flags[33]).toBe(1);
    expect(flags.reduce((a, b) => a + b, 0)).toBe(2);
    const summary = summariseKernelMasks(g)[1];
    expect(summary).toMatchObject({ layer: 'conv2', aliveKernels: 2, aliveFilters: 2, filters: 32, inChannels: 32 });
  });

  it('round-trips alive flags through hex, including a length that is not a multiple of 4', () => {
    const rng = new Rng(9);
    for (const length of [1, 3, 4, 7, 96, 4096]) {
      const flags = Uint8Array.from({ length }, () => (rng.next() < 0.5 ? 1 : 0));
      expect(Array.from(hexToFlags(flagsToHex(flags), length))).toEqual(Array.from(flags));
    }
    expect(flagsToHex(Uint8Array.from([1, 0, 0, 1, 1]))).toBe('98');
  });
});
