import { describe, expect, it } from 'vitest';
import { settingText } from '../experiment/setting';
import { otherValue } from '../testing/settings';
import { defaultSetup, LAB_SETTINGS, labValue, withLabValue, type LabSetup } from './setup';
import { decodeRuns, encodeRuns, queryToSetup, setupToQuery } from './url';

describe('setup ⇄ URL', () => {
  it('writes nothing for the defaults and reads them back', () => {
    expect(setupToQuery(defaultSetup())).toBe('');
    expect(queryToSetup('').setup).toEqual(defaultSetup());
  });

  it('round-trips every control', () => {
    const s = defaultSetup('cifar10');
    Object.assign(s, {
      generations: 5,
      epochsPerGeneration: 1,
      ancestorEpochs: 3,
      population: 4,
      trainSubset: null,
      testSubset: 500,
      seed: 42,
      backend: 'webgpu',
      batchSize: 32,
      rho: 0.55,
      budgetMode: 'target',
      ancestor: 'train',
      runs: [{ mode: 'asexual' }, { mode: 'sexual', alpha: 0.7, beta: 0.3 }, { mode: 'sexual', rho: 0.5 }],
    });
    s.mating = { alphaCluster: 0.6, betaCluster: 0.4, alphaSynapse: 0.2, betaSynapse: 0.8, linked: false };
    const query = setupToQuery(s, 'abc-123');
    const parsed = queryToSetup(query);
    expect(parsed.problems).toEqual([]);
    expect(parsed.session).toBe('abc-123');
    expect(parsed.setup).toEqual(s);
  });

  it('round-trips a changed value of every setting the lab shows, under its URL key', () => {
    for (const dataset of ['mnist', 'cifar10'] as const)
      for (const s of LAB_SETTINGS) {
        let setup = defaultSetup(dataset);
        // The synapse-level weights are their own only when the levels are separated.
        if (s.lab?.group === 'mating') setup.mating.linked = false;
        const value = otherValue(s, labValue(setup, s));
        setup = withLabValue(setup, s, value);
        const query = setupToQuery(setup);
        // The lab's default dataset is not written (its own defaults then differ, and are).
        const written = s.id === 'dataset' && value === defaultSetup().dataset ? null : settingText(value);
        expect(new URLSearchParams(query).get(s.url!), `${dataset} ${s.id}`).toBe(written);
        const parsed = queryToSetup(query);
        expect(parsed.problems).toEqual([]);
        expect(parsed.setup, `${dataset} ${s.id}`).toEqual(setup);
      }
  });

  it('reads the links written before the settings table', () => {
    const { setup, problems, session } = queryToSetup(
      'dataset=cifar10&generations=5&epochs=1&ancestorEpochs=3&population=4&train=all&test=500&seed=42' +
        '&backend=webgpu&batch=32&rho=0.55&budget=target&alpha=0.6&beta=0.4&linked=0&alphaS=0.2&betaS=0.8' +
        '&ancestor=train&runs=asexual,sexual_a0.7_b0.3&session=abc-1',
    );
    expect(problems).toEqual([]);
    expect(session).toBe('abc-1');
    // Settings added since keep their defaults.
    expect(setup).toEqual({
      ...defaultSetup('cifar10'),
      dataset: 'cifar10',
      generations: 5,
      epochsPerGeneration: 1,
      ancestorEpochs: 3,
      population: 4,
      trainSubset: null,
      testSubset: 500,
      seed: 42,
      backend: 'webgpu',
      batchSize: 32,
      rho: 0.55,
      budgetMode: 'target',
      mating: { alphaCluster: 0.6, betaCluster: 0.4, alphaSynapse: 0.2, betaSynapse: 0.8, linked: false },
      ancestor: 'train',
      runs: [{ mode: 'asexual' }, { mode: 'sexual', alpha: 0.7, beta: 0.3 }],
    });
  });

  it('writes a setup saved before a setting existed with that setting’s default', () => {
    const saved: Partial<LabSetup> = defaultSetup();
    delete saved.batchSize;
    expect(setupToQuery(saved as LabSetup)).toBe('');
  });

  it('reports malformed values and keeps the defaults for them', () => {
    const { setup, problems } = queryToSetup(
      'generations=abc&backend=tpu&rho=x&dataset=imagenet&runs=sexual_a0.7_q1,clonal',
    );
    expect(setup.generations).toBe(defaultSetup().generations);
    expect(setup.backend).toBe('auto');
    expect(setup.dataset).toBe('mnist');
    expect(problems).toEqual([
      'dataset=imagenet must be one of mnist, cifar10, fashion-mnist, kmnist, emnist-digits, idx, images; using the default',
      'generations=abc is not a whole number; using the default',
      'backend=tpu must be one of auto, wasm, webgpu, webgl, cpu; using the default',
      'rho=x is not a number; using the default',
      'runs: cannot read "q1" in "sexual_a0.7_q1" (expected a0.5, b0.5 or r0.7)',
      'runs: "clonal" must start with one of sexual, asexual, magnitude, magnitude-layerwise, random',
    ]);
    expect(setup.runs).toEqual([{ mode: 'sexual', alpha: 0.7 }]);
  });

  it('ignores a session id that is not a plain token', () => {
    expect(queryToSetup('session=<script>').session).toBeNull();
  });

  it('encodes runs compactly', () => {
    const runs = [{ mode: 'asexual' as const }, { mode: 'sexual' as const, alpha: 0.75, beta: 0.25, rho: 0.6 }];
    expect(encodeRuns(runs)).toBe('asexual,sexual_a0.75_b0.25_r0.6');
    expect(decodeRuns(encodeRuns(runs)).runs).toEqual(runs);
  });

  it('encodes the pruning baselines by their mode', () => {
    const runs = [
      { mode: 'magnitude' as const },
      { mode: 'magnitude-layerwise' as const, rho: 0.6 },
      { mode: 'random' as const, rho: 0.7 },
    ];
    expect(encodeRuns(runs)).toBe('magnitude,magnitude-layerwise_r0.6,random_r0.7');
    expect(decodeRuns(encodeRuns(runs))).toEqual({ runs, problems: [] });
    expect(queryToSetup('runs=asexual,magnitude').setup.runs).toEqual([{ mode: 'asexual' }, { mode: 'magnitude' }]);
  });
});
