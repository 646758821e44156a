import { describe, expect, it } from 'vitest';
import { defaultSetup } from './setup';
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

  it('reports malformed values and keeps the defaults for them', () => {
    const { setup, problems } = queryToSetup(
      'generations=abc&backend=tpu&rho=x&dataset=imagenet&runs=sexual_a0.7_q1,clonal',
    );
    expect(setup.generations).toBe(defaultSetup().generations);
    expect(setup.backend).toBe('auto');
    expect(setup.dataset).toBe('mnist');
    expect(problems).toHaveLength(6);
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
});
