/**
 * The extensions of issue 19 are off by default: a default run must synthesise exactly the
 * networks it did before they existed. Offspring here are not trained (0 epochs), so every
 * mask and synthesis statistic comes from the seeded sampling alone, not from the float
 * arithmetic of a backend; the fingerprints were taken from the code before the extensions.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageDataset } from '../data';
import { resolveConfig, type DeepPartial, type RunConfig } from './config';
import type { NetworkRecord } from './records';
import { ExperimentRunner } from './runner';
import { loadRunnerData, type RunnerData } from '../testing/runner-data';

let train: ImageDataset;
let test: ImageDataset;
let environment: RunnerData['environment'];

beforeAll(async () => {
  ({ train, test, environment } = await loadRunnerData());
});

/** The fields every record had before issue 19, without what depends on training or timing. */
function fingerprint(records: readonly NetworkRecord[]): string {
  const kept = records.map((r) => {
    const s = r.synthesis;
    return {
      generation: r.generation,
      mode: r.mode,
      individual: r.individual,
      parents: r.parents,
      synapses: r.synapses,
      kernels: r.kernels,
      effectiveKernels: r.effectiveKernels,
      clusters: r.clusters,
      storageBytes: r.storageBytes,
      denseBytes: r.denseBytes,
      perLayer: r.perLayer,
      // Without the parents' filter strengths, which the mating view added later to every record.
      kernelMasks: r.kernelMasks.map(({ clusterStrength: _strength, ...mask }) => mask),
      synthesis: s && {
        parents: s.parents,
        nRef: s.nRef,
        k: s.k,
        reachable: s.reachable,
        meanProbability: s.meanProbability,
        expectedRaw: s.expectedRaw,
        expectedAfter: s.expectedAfter,
        synapses: s.synapses,
        retention: s.retention,
        aliveInAllParents: s.aliveInAllParents,
        aliveInSomeParents: s.aliveInSomeParents,
        supportHistogram: s.supportHistogram,
        parentUnion: s.parentUnion,
        parentIntersection: s.parentIntersection,
        hardBoundDropped: s.hardBoundDropped,
      },
    };
  });
  return createHash('sha256').update(JSON.stringify(kept)).digest('hex').slice(0, 16);
}

const untrained: DeepPartial<RunConfig> = {
  generations: 4,
  ancestorEpochs: 0,
  epochsPerGeneration: 0,
  trainSubset: 100,
  testSubset: 100,
  seed: 5,
};

async function run(partial: DeepPartial<RunConfig>): Promise<NetworkRecord[]> {
  const runner = new ExperimentRunner(resolveConfig({ ...untrained, ...partial }), { train, test, environment });
  return (await runner.run()).records;
}

describe('a default run synthesises what it did before the extensions', () => {
  it.each([
    ['asexual', { mode: 'asexual' }, 'bb2ece3b746a0ad1'],
    ['sexual', { mode: 'sexual' }, 'fd42135362b875e8'],
    ['multiparent', { mode: 'multiparent' }, '89c7557fe9a4dfe3'],
    ['sexual, population 4, random parents', { mode: 'sexual', population: 4 }, '23a99881fdbdb8cc'],
  ] as const)('%s', async (_name, partial, expected) => {
    const records = await run(partial as DeepPartial<RunConfig>);
    expect(fingerprint(records)).toBe(expected);
  });
});
