import { inFormWords } from './plain-words';
import { describe, expect, it } from 'vitest';
import { settingProblem } from '../experiment/setting';
import { badValue } from '../testing/settings';
import {
  ASEXUAL_RED,
  configFor,
  defaultSetup,
  FROZEN_DURING_RUN,
  LAB_SETTINGS,
  liveSettingsFor,
  runColours,
  runLabel,
  SEXUAL_BLUE,
  setupProblems,
  withLabValue,
} from './setup';

describe('setup → run configs', () => {
  it('gives asexual and sexual runs the same ancestor settings', () => {
    const s = {
      ...defaultSetup(),
      trainSubset: 300,
      testSubset: 200,
      generations: 2,
      epochsPerGeneration: 1,
      ancestorEpochs: 1,
    };
    const a = configFor(s, { mode: 'asexual' });
    const b = configFor(s, { mode: 'sexual' });
    for (const key of [
      'dataset',
      'seed',
      'trainSubset',
      'testSubset',
      'ancestorEpochs',
      'training',
      'poolSize',
    ] as const)
      expect(a[key]).toEqual(b[key]);
    expect([a.population, a.parents, b.population, b.parents]).toEqual([1, 1, 2, 2]);
    expect(a.mating).toEqual({ cluster: null, synapse: null, fitnessTemperature: 0 });
    expect(b.mating).toEqual({ cluster: [0.5, 0.5], synapse: [0.5, 0.5], fitnessTemperature: 0 });
  });

  it('links cluster and synapse weights unless separated, and lets a run override α/β/ρ', () => {
    const s = defaultSetup();
    s.mating = { alphaCluster: 0.6, betaCluster: 0.4, alphaSynapse: 0.1, betaSynapse: 0.9, linked: true };
    expect(configFor(s, { mode: 'sexual' }).mating.synapse).toEqual([0.6, 0.4]);
    s.mating.linked = false;
    expect(configFor(s, { mode: 'sexual' }).mating.synapse).toEqual([0.1, 0.9]);
    const own = configFor(s, { mode: 'sexual', alpha: 0.8, beta: 0.2, rho: 0.5 });
    expect(own.mating).toEqual({ cluster: [0.8, 0.2], synapse: [0.8, 0.2], fitnessTemperature: 0 });
    expect(own.synthesis.budget.rho).toBe(0.5);
    expect(runLabel({ mode: 'sexual', alpha: 0.8, beta: 0.2, rho: 0.5 })).toBe('sexual (α 0.8, β 0.2, ρ 0.5)');
  });

  it('sends only live settings during a run, mating only to sexual runs', () => {
    const s = { ...defaultSetup(), rho: 0.6, epochsPerGeneration: 3 };
    const asexual = liveSettingsFor(s, { mode: 'asexual' });
    expect(asexual).toMatchObject({
      generations: 13,
      epochsPerGeneration: 3,
      synthesis: { budget: { mode: 'cap', rho: 0.6 } },
    });
    // Every live setting of the table, and nothing else (a mating weight travels with its list).
    const livePaths = (mating: boolean) =>
      LAB_SETTINGS.filter((x) => x.live && (mating || x.lab?.group !== 'mating'))
        .map((x) => x.path.replace(/\.\d+$/, ''))
        .filter((p, i, all) => all.indexOf(p) === i)
        .sort();
    expect(leafPaths(asexual).sort()).toEqual(livePaths(false));
    const sexual = liveSettingsFor(s, { mode: 'sexual' });
    expect(leafPaths(sexual).sort()).toEqual(livePaths(true));
    expect(sexual.mating).toEqual({ cluster: [0.5, 0.5], synapse: [0.5, 0.5], fitnessTemperature: 0 });
  });

  it('lists every problem', () => {
    expect(setupProblems(defaultSetup())).toEqual([]);
    const bad = { ...defaultSetup(), generations: 0, trainSubset: 5 };
    const problems = setupProblems(bad);
    expect(problems).toContain('Generations must be a whole number from 1 to 200 (got 0)');
    expect(problems).toContain('Training images must be a whole number from 10 to 60000, or all (got 5)');
    expect(setupProblems({ ...defaultSetup(), runs: [] })).toEqual(['add at least one run to compare']);
  });

  it('names the setting, as the form labels it, of every value out of range', () => {
    const separate = defaultSetup();
    separate.mating.linked = false;
    for (const s of LAB_SETTINGS)
      expect(setupProblems(withLabValue(separate, s, badValue(s))), s.id).toContain(
        inFormWords(settingProblem(s, badValue(s))!, separate),
      );
  });

  it('freezes during a run what fixes the ancestor and the data, and only that', () => {
    expect(FROZEN_DURING_RUN).toEqual(
      expect.arrayContaining([
        'dataset',
        'ancestorEpochs',
        'population',
        'trainSubset',
        'testSubset',
        'seed',
        'backend',
        'batchSize',
        'ancestor',
        'runs',
      ]),
    );
    for (const s of LAB_SETTINGS)
      expect(FROZEN_DURING_RUN.includes(s.id as never), s.id).toBe(!s.live && s.lab?.group !== 'mating');
  });

  it('colours the paper way: asexual red, sexual blue, others distinct', () => {
    const c = runColours([
      { mode: 'asexual' },
      { mode: 'sexual' },
      { mode: 'sexual', alpha: 0.7 },
      { mode: 'asexual', rho: 0.5 },
    ]);
    expect(c.slice(0, 2)).toEqual([ASEXUAL_RED, SEXUAL_BLUE]);
    expect(new Set(c).size).toBe(4);
    const baselines = runColours([
      { mode: 'asexual' },
      { mode: 'sexual' },
      { mode: 'magnitude' },
      { mode: 'magnitude-layerwise' },
      { mode: 'random' },
      { mode: 'magnitude', rho: 0.5 },
    ]);
    expect(new Set(baselines).size).toBe(6);
  });

  it('makes the pruning baselines single lines of descent at the run’s ρ, without mating or islands', () => {
    const s = { ...defaultSetup(), population: 4, islands: 2, fitnessTemperature: 0.02 };
    const pruning = configFor(s, { mode: 'magnitude-layerwise', rho: 0.6 });
    expect(pruning).toMatchObject({ mode: 'magnitude-layerwise', population: 1, parents: 1, islands: 1 });
    expect(pruning.synthesis.budget.rho).toBe(0.6);
    expect(pruning.mating).toEqual({ cluster: null, synapse: null, fitnessTemperature: 0.02 });
    // The sexual run of the same setup keeps its islands.
    expect(configFor(s, { mode: 'sexual' })).toMatchObject({ population: 4, islands: 2 });
    expect(setupProblems({ ...s, runs: [{ mode: 'sexual' }, { mode: 'random' }] })).toEqual([]);
    expect(runLabel({ mode: 'random', rho: 0.5 })).toBe('random pruning (ρ 0.5)');
    expect(runLabel({ mode: 'magnitude' })).toBe('magnitude pruning');
  });
});

/** The dotted paths of an object's values (lists count as values). */
function leafPaths(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' && !Array.isArray(v) ? leafPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}
