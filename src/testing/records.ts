/** Complete, valid network records for tests that care about a few fields (the artefact gate checks them all). */
import { lenetSpecs } from '../evolution';
import type { NetworkRecord } from '../experiment/records';

export function networkRecord(fields: Partial<NetworkRecord> & { generation: number }): NetworkRecord {
  const specs = lenetSpecs(1);
  return {
    mode: 'sexual',
    individual: 0,
    parents: fields.generation === 1 ? [] : [0, 0],
    testAccuracy: 0.9,
    testImages: 100,
    synapses: 143_136,
    kernels: 7_200,
    effectiveKernels: 7_200,
    clusters: 192,
    synapticEfficiency: 1,
    clusterEfficiency: 1,
    storageBytes: 1_000,
    denseBytes: 1_000,
    perLayer: specs.map((s) => ({
      name: s.name,
      synapses: s.filters * s.inChannels * s.kernelH * s.kernelW,
      kernels: s.filters * s.inChannels,
      effectiveKernels: s.filters * s.inChannels,
      clusters: s.filters,
    })),
    trainSeconds: 1,
    trainImages: 100,
    imagesPerSecond: 100,
    epochLosses: [0.5],
    synthesis: null,
    kernelMasks: specs.map((s) => ({
      layer: s.name,
      filters: s.filters,
      inChannels: s.inChannels,
      aliveHex: 'f'.repeat(Math.ceil((s.filters * s.inChannels) / 4)),
      aliveKernels: s.filters * s.inChannels,
      aliveFilters: s.filters,
    })),
    ...fields,
  };
}
