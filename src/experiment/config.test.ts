import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, matingWeights, resolveConfig } from './config';
import { settingById } from './settings-table';

describe('run configuration', () => {
  it('takes its defaults from ALGORITHM.md', () => {
    const c = resolveConfig({});
    expect(c.dataset).toBe('mnist');
    expect(c.mode).toBe('sexual');
    expect(c.population).toBe(2);
    expect(c.parents).toBe(2);
    expect(c.epochsPerGeneration).toBe(2);
    expect(c.ancestorEpochs).toBe(10);
    expect(c.training).toEqual({ batchSize: 64, optimizer: 'adam', learningRate: 1e-3, momentum: 0.9, weightDecay: 0 });
    expect(c.synthesis.budget.mode).toBe('cap');
    expect(c.synthesis.budget.rho).toBe(0.7);
    expect(c.synthesis.clusterNormaliser).toBe('mean');
    expect(c.synthesis.synapseNormaliser).toBe('mean');
    expect(c.synthesis.inheritance).toBe('inherit');
    expect(c.testSubset).toBeNull();
  });

  it('gives each mode and dataset its own population and epochs', () => {
    expect(resolveConfig({ mode: 'asexual' })).toMatchObject({ population: 1, parents: 1 });
    expect(resolveConfig({ dataset: 'cifar10' })).toMatchObject({ epochsPerGeneration: 5 });
    expect(resolveConfig({ mode: 'multiparent', population: 5, parents: 3 })).toMatchObject({
      population: 5,
      parents: 3,
    });
  });

  it('merges nested settings without losing the other defaults', () => {
    const c = resolveConfig({ synthesis: { budget: { rho: 0.5 } }, training: { learningRate: 0.01 } });
    expect(c.synthesis.budget).toMatchObject({ rho: 0.5, mode: 'cap' });
    expect(c.training).toMatchObject({ learningRate: 0.01, batchSize: 64 });
  });

  it('lists every problem of a bad config at once', () => {
    let error: unknown;
    try {
      resolveConfig({
        generations: 0,
        seed: -1,
        mode: 'asexual',
        parents: 2,
        trainSubset: 3.5,
        backend: 'tpu' as never,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^Generations must be a whole number from 1 to 200 \(got 0\)$/m);
    expect(problems).toMatch(/^Seed must be a whole number from 0 to 4294967295 \(got -1\)$/m);
    expect(problems).toMatch(/Asexual mode has exactly 1 parent per offspring \(got 2\)/);
    expect(problems).toMatch(/^Training images must be a whole number from 10 to 60000, or all \(got 3.5\)$/m);
    expect(problems).toMatch(/^Compute backend must be one of auto, wasm, webgpu, webgl, cpu \(got "tpu"\)$/m);
  });

  it('rejects mating weights that do not match the parents', () => {
    expect(() => resolveConfig({ mating: { cluster: [1, 2, 3] } })).toThrow(
      /Mating weights at the cluster level must list 2 number\(s\) ≥ 0, one per parent/,
    );
    expect(() => resolveConfig({ mating: { synapse: [0, 0] } })).toThrow(/cannot all be 0/);
    expect(() => resolveConfig({ synthesis: { budget: { rho: 1.5 } } })).toThrow(
      /Synapse budget ρ must be more than 0 and at most 1 \(got 1.5\)/,
    );
  });

  it('uses equal mating weights 1/m unless told otherwise', () => {
    expect(matingWeights(defaultConfig(), 2)).toEqual({ cluster: [0.5, 0.5], synapse: [0.5, 0.5] });
    expect(matingWeights({ mating: { cluster: [0.8, 0.2], synapse: null } }, 2)).toEqual({
      cluster: [0.8, 0.2],
      synapse: [0.5, 0.5],
    });
    expect(matingWeights(defaultConfig(), 3).cluster.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
  });

  it('uses the parents’ fitness for the weights only when fitness-weighted mating is on', () => {
    const on = resolveConfig({ mating: { fitnessTemperature: 0.1 } });
    expect(matingWeights(on, 2, [0.9, 0.8]).cluster[0]).toBeCloseTo(Math.E / (Math.E + 1), 12);
    expect(matingWeights(defaultConfig(), 2, [0.9, 0.8])).toEqual({ cluster: [0.5, 0.5], synapse: [0.5, 0.5] });
  });

  it('says what is wrong when the issue-19 settings do not fit together', () => {
    const problems = (partial: Parameters<typeof resolveConfig>[0]) => {
      try {
        resolveConfig(partial);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problems({ mode: 'magnitude', parents: 2, population: 2 })).toEqual([
      'Pruning mode magnitude prunes 1 parent per offspring (got 2 parents)',
    ]);
    expect(problems({ mode: 'multiparent', ancestors: 2 })).toEqual([
      'Generation 2 draws its 3 parents from the 2 ancestors: give at least 3 ancestors, or 1 (then it is mated with itself)',
    ]);
    expect(problems({ mode: 'sexual', population: 3, islands: 2 })).toEqual([
      'The population (3) must split evenly into 2 islands; make it a multiple of 2',
    ]);
    expect(problems({ mode: 'sexual', population: 2, islands: 2 })).toEqual([
      'Each of the 2 islands holds 1 network(s) but every offspring needs 2 parents from its island; raise the population to 4 or more',
    ]);
    expect(problems({ mode: 'asexual', population: 2, islands: 2 })).toEqual([
      'Islands exchange mates, so they need 2 or more parents per offspring (got 1); choose mode sexual or multiparent, or 1 island',
    ]);
    expect(problems({ rhoSchedule: '0.5@1' })).toEqual([
      `ρ schedule must be ${settingById('rhoSchedule').format} (got "0.5@1"): "1" is not a generation: give a whole number ≥ 2 (generation 1 is the ancestor)`,
    ]);
    expect(problems({ mode: 'sexual', population: 4, islands: 2, ancestors: 2, rhoSchedule: 'ramp:0.8:0.5' })).toEqual(
      [],
    );
  });
});
