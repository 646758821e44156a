import { describe, expect, it } from 'vitest';
import { ancestorConfig, formatValue, planSweep } from './points';
import { resolveSetting } from './settings';
import { SpecError, validateSpec } from './spec';

const noFiles = (file: string) => {
  throw new Error(`no such file ${file}`);
};
const plan = (raw: unknown, dataDir?: string) => planSweep(validateSpec(raw, noFiles), { dataDir });
const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  throw new Error('expected a SpecError');
};

describe('sweep settings', () => {
  it('resolves the settings table’s names, flags and config paths to one key each', () => {
    expect(resolveSetting('rho')).toMatchObject({ key: 'rho', path: 'synthesis.budget.rho', role: 'offspring' });
    expect(resolveSetting('synthesis.budget.rho')).toMatchObject({ key: 'rho', path: 'synthesis.budget.rho' });
    expect(resolveSetting('epochs')).toMatchObject({
      key: 'epochsPerGeneration',
      path: 'epochsPerGeneration',
      role: 'offspring',
    });
    expect(resolveSetting('train-subset')).toMatchObject({ key: 'trainSubset', role: 'ancestor' });
    expect(resolveSetting('training.learningRate')).toMatchObject({ key: 'learningRate', role: 'ancestor' });
    // Config-file-only settings by their path.
    expect(resolveSetting('synthesis.truncation')).toMatchObject({ key: 'synthesis.truncation', role: 'offspring' });
    expect(resolveSetting('dataDir')).toMatchObject({ role: 'location', path: null });
    const config: Record<string, unknown> = { mating: { cluster: [0.3, 0.7] } };
    resolveSetting('alpha').apply(config, 0.9);
    expect(config.mating).toEqual({ cluster: [0.9, 0.7], synapse: [0.9, 0.5] });
    resolveSetting('betaSynapse').apply(config, 0.2);
    expect(config.mating).toEqual({ cluster: [0.9, 0.7], synapse: [0.9, 0.2] });
  });
});

describe('sweep points', () => {
  it('crosses the axes into points with readable ids, and gives each seed one ancestor', () => {
    const p = plan({
      base: { dataset: 'mnist', trainSubset: 600, generations: 3 },
      axes: { rho: [0.6, 0.7], seed: [1, 2], mode: ['asexual', 'sexual'] },
      dataDir: '/data',
    });
    expect(p.keys).toEqual(['mode', 'seed', 'rho']);
    expect(p.points.map((x) => x.id)).toEqual([
      'mode=asexual,seed=1,rho=0.6',
      'mode=sexual,seed=1,rho=0.6',
      'mode=asexual,seed=2,rho=0.6',
      'mode=sexual,seed=2,rho=0.6',
      'mode=asexual,seed=1,rho=0.7',
      'mode=sexual,seed=1,rho=0.7',
      'mode=asexual,seed=2,rho=0.7',
      'mode=sexual,seed=2,rho=0.7',
    ]);
    const sexual = p.points[7];
    expect(sexual.config).toMatchObject({ mode: 'sexual', population: 2, parents: 2, seed: 2, trainSubset: 600 });
    expect(sexual.config.synthesis.budget.rho).toBe(0.7);
    expect(sexual.dir).toBe('points/mode=sexual,seed=2,rho=0.7');
    expect(p.points[0].config).toMatchObject({ mode: 'asexual', population: 1, parents: 1 });
    // rho and mode act only on offspring: the four points of a seed share one ancestor.
    expect(p.ancestors.map((a) => a.id)).toEqual(['seed=1', 'seed=2']);
    expect(p.points.map((x) => x.ancestor)).toEqual([
      'seed=1',
      'seed=1',
      'seed=2',
      'seed=2',
      'seed=1',
      'seed=1',
      'seed=2',
      'seed=2',
    ]);
    expect(p.ancestors[1]).toMatchObject({ dir: 'ancestors/seed=2', dataDir: '/data' });
    expect(p.ancestors[1].config).toEqual(ancestorConfig(sexual.config));
    expect(p.ancestors[1].config).toMatchObject({ mode: 'asexual', generations: 1, seed: 2, trainSubset: 600 });
    expect(p.ancestors[1].config.synthesis.budget.rho).toBe(0.7 + 0); // the default: ρ does not reach the ancestor
  });

  it('gives points that differ in generation-1 settings their own ancestors', () => {
    const p = plan({ axes: { seed: [1], trainSubset: [300, 600], mode: ['asexual', 'sexual'] }, dataDir: 'd' });
    expect(p.ancestors.map((a) => a.id)).toEqual(['seed=1,trainSubset=300', 'seed=1,trainSubset=600']);
    expect(p.points.filter((x) => x.ancestor === 'seed=1,trainSubset=600').map((x) => x.id)).toEqual([
      'mode=asexual,seed=1,trainSubset=600',
      'mode=sexual,seed=1,trainSubset=600',
    ]);
  });

  it('adds explicit points after the grid, with their own data folder and a shared ancestor', () => {
    const p = plan(
      {
        base: { config: { dataset: 'mnist', generations: 2 } }, // the "config" of a run.json works too
        axes: { seed: [1, 2], mode: ['asexual', 'sexual'] },
        points: [
          { seed: 2, mode: 'sexual', dataDir: '/tmp/other data' },
          { seed: 3, alpha: 0.8 },
        ],
      },
      '/data',
    );
    expect(p.points.map((x) => x.id).slice(4)).toEqual([
      'mode=sexual,seed=2,dataDir=tmp_other_data',
      'seed=3,alpha=0.8',
    ]);
    expect(p.points[4]).toMatchObject({ dataDir: '/tmp/other data', ancestor: 'seed=2' });
    expect(p.points[3].dataDir).toBe('/data');
    expect(p.points[5].config.mating).toEqual({ cluster: [0.8, 0.5], synapse: [0.8, 0.5], fitnessTemperature: 0 });
    expect(p.ancestors.map((a) => a.id)).toEqual(['seed=1', 'seed=2', 'seed=3']);
    // Without axes or points the sweep is the base alone.
    expect(plan({ base: { seed: 4 } }, '/d').points.map((x) => [x.id, x.config.seed])).toEqual([['base', 4]]);
  });

  it('formats values for ids and folder names', () => {
    expect(formatValue(0.6)).toBe('0.6');
    expect(formatValue([0.3, 0.7])).toBe('0.3+0.7');
    expect(formatValue(null)).toBe('null');
    expect(formatValue({ kind: 'percentile', percentile: 90 })).toBe('percentile+90');
    expect(formatValue('../a b/c')).toBe('.._a_b_c');
  });
});

describe('sweep spec validation', () => {
  it('names the field and says what to do', () => {
    expect(problemsOf(() => plan([1, 2]))).toEqual([
      'the spec must be a JSON object with "base", "axes" and/or "points" (got a list)',
    ]);
    const problems = problemsOf(() =>
      plan({
        axis: {},
        name: 'my sweep',
        axes: { rhoo: [0.5], seed: 3, mode: ['sexual', 'sexual'], 'synthesis.budget.rho': [0.5], rho: [{}, undefined] },
        points: [{}, { training: 0.1 }],
        dataDir: 4,
      }),
    );
    expect(problems).toEqual([
      'unknown field "axis": a spec has name, base, axes, points, dataDir',
      'name must be letters, digits, ".", "_" or "-" (got "my sweep"); it names the Slurm jobs',
      expect.stringMatching(
        /^axes\.rhoo: unknown setting "rhoo": use a setting of the settings table by name \(dataset, mode, .*rho.*\), by its CLI flag or by its config path \(synthesis\.budget\.rho\), or alpha, beta \(both levels\) or dataDir$/,
      ),
      'axes.seed must be a non-empty list of values (got 3); write "seed": [3]',
      'axes.mode lists "sexual" twice',
      'axes.rho[1] must be a number, a string, true/false, null, a list of numbers or an object (got undefined)',
      'axes.synthesis.budget.rho and axes.rho name the same setting (synthesis.budget.rho): keep one',
      'points[0] must be an object of setting → value, e.g. {"seed": 4} (got {})',
      'points[1].training: "training" is a group of settings: vary one of them, e.g. training.batchSize',
      'dataDir must be the path of the folder with mnist/ and cifar-10/ (got 4)',
    ]);
    expect(problemsOf(() => plan({ axes: { 'synthesis.truncation.fraction': [0.5] } }))[0]).toMatch(
      /^axes\.synthesis\.truncation\.fraction: unknown setting .*: use a setting of the settings table/,
    );
    expect(problemsOf(() => plan({ base: 'base.json' }))).toEqual([
      'base: cannot use base.json as a configuration: no such file base.json',
    ]);
  });

  it('checks every point’s configuration and refuses duplicates', () => {
    expect(
      problemsOf(() =>
        plan({ axes: { seed: [1], mode: ['asexual', 'sexual'], rho: [0.5, 1.5] }, points: [{ mode: 'cloning' }] }, 'd'),
      ),
    ).toEqual([
      expect.stringMatching(/^point mode=asexual,seed=1,rho=1\.5 \(the grid\): .*ρ.*\(got 1\.5\)/),
      expect.stringMatching(/^point mode=sexual,seed=1,rho=1\.5 \(the grid\): .*ρ.*\(got 1\.5\)/),
      // config.ts words the problem; the sweep names the point.
      expect.stringMatching(/^point mode=cloning \(points\[0\]\): .*Mode.*\(got "cloning"\)/),
    ]);
    expect(problemsOf(() => plan({ axes: { seed: [1, 2] }, points: [{ seed: 2 }] }, 'd'))).toEqual([
      'point seed=2 (points[0]) is the same run as seed=2: remove one',
    ]);
    expect(problemsOf(() => plan({ axes: { seed: [1] } }))).toEqual([
      'say where the dataset files are: "dataDir" in the spec, or --data-dir DIR',
    ]);
  });
});
