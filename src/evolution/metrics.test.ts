import { describe, expect, it } from 'vitest';
import { lenetSpecs } from './genome';
import { initialiseGenome } from './init';
import { countNetwork, describeArchitecture, indexBytes, networkMetrics } from './metrics';
import { Rng } from './rng';
import { SMALL_SPECS, TINY_SPEC, layer, smallGenome } from '../testing/genomes';

describe('the paper’s ancestor (ALGORITHM.md §3)', () => {
  it.each([
    [1, 143_136, 7_200, [800, 25_600, 51_200, 65_536], [32, 1_024, 2_048, 4_096]],
    [3, 144_736, 7_264, [2_400, 25_600, 51_200, 65_536], [96, 1_024, 2_048, 4_096]],
  ])('%i input channel(s): %i synapses, %i kernels', (channels, synapses, kernels, layerSynapses, layerKernels) => {
    const counts = countNetwork(initialiseGenome(lenetSpecs(channels), 10, new Rng(1)));
    expect(counts.synapses).toBe(synapses);
    expect(counts.kernels).toBe(kernels);
    expect(counts.effectiveKernels).toBe(kernels);
    expect(counts.clusters).toBe(192);
    expect(counts.perLayer.map((l) => l.synapses)).toEqual(layerSynapses);
    expect(counts.perLayer.map((l) => l.kernels)).toEqual(layerKernels);

    const described = describeArchitecture(lenetSpecs(channels), 10);
    expect(described.synapses).toBe(synapses);
    expect(described.kernels).toBe(kernels);
    expect(described.clusters).toBe(192);
    expect(described.layers.map((l) => l.synapses)).toEqual(layerSynapses);
    expect(described.layers[3].shape).toBe('64 × 64 × 4×4');
    expect(described.outputWeights).toBe(640);
  });

  it('dense ancestor: efficiencies 1, bytes from the formulas', () => {
    const g = initialiseGenome(lenetSpecs(1), 10, new Rng(1));
    const m = networkMetrics(g, { synapses: 143_136, kernels: 7_200 });
    expect(m.synapticEfficiency).toBe(1);
    expect(m.clusterEfficiency).toBe(1);
    expect(m.storageBytes).toBe(5 * 143_136 + 4 * 192); // 1-byte index: every kernel ≤ 256 positions
    expect(m.outputBytes).toBe(4 * (64 * 10 + 10));
    expect(m.denseBytes).toBe(4 * (143_136 + 192) + 4 * (64 * 10 + 10));
  });
});

describe('counts and bytes of a hand-made sparse network', () => {
  // Layer 1 (2 filters × 1 × 1×2): only filter 0 keeps one synapse; filter 1 is dead.
  // Layer 2 (3 filters × 2 × 1×1): f0 keeps both channels, f1 keeps channel 1, f2 is dead.
  const g = smallGenome(
    layer(TINY_SPEC, [0.5, 0, 0, 0], [1, 0, 0, 0], [0.1, 0]),
    layer(SMALL_SPECS[1], [1, 1, 0, 1, 0, 0], [1, 1, 0, 1, 0, 0], [0.1, 0.1, 0]),
    [1, 1, 1, 1, 1, 1],
    [0, 0],
  );

  it('counts synapses, kernels, effective kernels and clusters', () => {
    const c = countNetwork(g);
    expect(c.perLayer).toEqual([
      { name: 'tiny', synapses: 1, kernels: 1, effectiveKernels: 1, clusters: 1 },
      // channel 1 comes from layer 1's dead filter 1, so f0c1 and f1c1 are not effective
      { name: 'second', synapses: 3, kernels: 3, effectiveKernels: 1, clusters: 2 },
    ]);
    expect([c.synapses, c.kernels, c.effectiveKernels, c.clusters]).toEqual([4, 4, 2, 3]);
  });

  it('computes efficiencies, sparse storage and compacted dense bytes', () => {
    const m = networkMetrics(g, { synapses: 10, kernels: 8 });
    expect(m.synapticEfficiency).toBe(2.5);
    expect(m.clusterEfficiency).toBe(2);
    // layer 1: 5·1 + 4·1; layer 2: 5·3 + 4·2
    expect(m.storageBytes).toBe(9 + 23);
    // layer 1: 1 live filter × 1 input × 2 + 1 bias; layer 2: 2 live × 1 live input × 1 + 2; output: 2·2 + 2
    expect(m.denseBytes).toBe(4 * 3 + 4 * 4 + 4 * 6);
    expect(m.outputBytes).toBe(24);
  });

  it('efficiency is Infinity once nothing is left', () => {
    const empty = smallGenome(
      layer(TINY_SPEC, [0, 0, 0, 0], [0, 0, 0, 0]),
      layer(SMALL_SPECS[1], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]),
      [0, 0, 0, 0, 0, 0],
      [0, 0],
    );
    const m = networkMetrics(empty, { synapses: 10, kernels: 8 });
    expect(m.synapticEfficiency).toBe(Infinity);
    expect(m.storageBytes).toBe(0);
    expect(m.denseBytes).toBe(4 * 2); // only the output biases remain
  });

  it('uses a 2-byte index for kernels of more than 256 positions', () => {
    expect(indexBytes({ ...TINY_SPEC, kernelH: 16, kernelW: 16 })).toBe(1);
    expect(indexBytes({ ...TINY_SPEC, kernelH: 16, kernelW: 17 })).toBe(2);
  });

  it('rejects layers that do not chain and malformed genomes', () => {
    const broken = smallGenome(
      layer(TINY_SPEC, [0, 0, 0, 0], [1, 1, 1, 1]),
      layer(
        { ...SMALL_SPECS[1], inChannels: 1, filters: 6 },
        [0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 1],
        [0, 0, 0, 0, 0, 0],
      ),
      [],
      [],
    );
    expect(() => countNetwork(broken)).toThrow(/output layer takes 3 inputs but second has 6 filters/);
    const unchained = {
      ...broken,
      output: { inUnits: 6, outUnits: 1, weights: new Float32Array(6), bias: new Float32Array(1) },
    };
    expect(() => countNetwork(unchained)).toThrow(/Layer second reads 1 channels but tiny has 2 filters/);
  });
});
