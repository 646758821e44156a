import { describe, expect, it } from 'vitest';
import { clusterStrengths } from '../evolution';
import { defaultConfig } from './config';
import { hexToFlags, summariseKernelMasks, withClusterStrengths } from './kernel-masks';
import type { Checkpoint, NetworkRecord } from './records';
import { glorotGenome, killFilters, randomlyMasked } from '../testing/genomes';

const genome = () => {
  const g = randomlyMasked(glorotGenome(1, 5), 0.02, 6);
  killFilters(g, 0, [1, 2]);
  return g;
};

describe('kernel mask summaries', () => {
  it('flag alive kernels and, given the truncation, each filter’s strength as a parent', () => {
    const g = genome();
    const plain = summariseKernelMasks(g);
    expect(plain[0].clusterStrength).toBeUndefined();
    const withStrength = summariseKernelMasks(g, { kind: 'mean' });
    withStrength.forEach((m, l) => {
      expect(m.aliveHex).toBe(plain[l].aliveHex);
      const flags = hexToFlags(m.aliveHex, m.filters * m.inChannels);
      expect(flags.reduce((a, b) => a + b, 0)).toBe(m.aliveKernels);
      const exact = clusterStrengths(g.layers[l], { kind: 'mean' });
      m.clusterStrength!.forEach((s, f) => expect(Math.abs(s - exact[f])).toBeLessThanOrEqual(exact[f] * 1e-4));
    });
    expect(withStrength[0].clusterStrength![1]).toBe(0);
  });

  it('fills in the strengths a checkpoint’s newest records lack, from its population', () => {
    const g = genome();
    const record = { generation: 1, individual: 0, kernelMasks: summariseKernelMasks(g) } as NetworkRecord;
    const checkpoint = {
      version: 1,
      config: defaultConfig('mnist'),
      generation: 1,
      population: [g],
      records: [record],
    } as unknown as Checkpoint;
    const filled = withClusterStrengths(checkpoint);
    expect(filled.records[0].kernelMasks).toEqual(summariseKernelMasks(g, { kind: 'mean' }));
    // Already complete: the same object back.
    expect(withClusterStrengths(filled)).toBe(filled);
  });
});
