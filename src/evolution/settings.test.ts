import { describe, expect, it } from 'vitest';
import { assertMatingWeights, equalMatingWeights } from './mating-weights';
import {
  DEFAULT_SYNTHESIS,
  resolveSynthesisSettings,
  synthesisSettingsProblems,
  validateSynthesisSettings,
} from './settings';

describe('synthesis settings', () => {
  it('defaults to the [P] choices of ALGORITHM.md', () => {
    expect(DEFAULT_SYNTHESIS).toEqual({
      clusterNormaliser: 'mean',
      synapseNormaliser: 'mean',
      truncation: { kind: 'mean' },
      strength: 'magnitude',
      budget: { mode: 'cap', rho: 0.7, reference: 'mean', clusterFactor: 1, hardBound: false, scope: 'network' },
      inheritance: 'inherit',
      // Issue 19's layer floors, off.
      layerFloor: { synapseShare: 0, filters: 0 },
    });
    expect(synthesisSettingsProblems(DEFAULT_SYNTHESIS)).toEqual([]);
  });

  it('returns a copy that does not share nested objects with its input', () => {
    const copy = validateSynthesisSettings(DEFAULT_SYNTHESIS);
    expect(copy).toEqual(DEFAULT_SYNTHESIS);
    copy.budget.rho = 0.5;
    expect(DEFAULT_SYNTHESIS.budget.rho).toBe(0.7);
  });

  it.each([0, -0.1, 1.01, Number.NaN])('rejects ρ = %s', (rho) => {
    const problems = synthesisSettingsProblems({ ...DEFAULT_SYNTHESIS, budget: { ...DEFAULT_SYNTHESIS.budget, rho } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/synthesis\.budget\.rho must be a number in \(0, 1\]/);
  });

  it('accepts ρ = 1 and every documented option', () => {
    for (const truncation of [
      { kind: 'none' },
      { kind: 'fractionOfMax', fraction: 0.5 },
      { kind: 'percentile', percentile: 90 },
    ] as const)
      expect(() =>
        resolveSynthesisSettings({
          truncation,
          clusterNormaliser: 'max',
          synapseNormaliser: 'parents',
          strength: 'signed',
          inheritance: 'reinit',
          budget: { rho: 1, mode: 'target', reference: 'min', clusterFactor: 2, hardBound: true, scope: 'layer' },
          layerFloor: { synapseShare: 0.05, filters: 4 },
        }),
      ).not.toThrow();
  });

  it('names every problem at once, with the offending value', () => {
    const bad = {
      clusterNormaliser: 'median',
      synapseNormaliser: 'mean',
      truncation: { kind: 'percentile', percentile: 150 },
      strength: 'magnitude',
      budget: { mode: 'cap', rho: 0.7, reference: 'max', clusterFactor: 0, hardBound: 'yes', scope: 'filter' },
      inheritance: 'inherit',
      layerFloor: { synapseShare: 2, filters: 1.5 },
    };
    const problems = synthesisSettingsProblems(bad);
    expect(problems).toEqual([
      'synthesis.clusterNormaliser must be one of mean, max (got "median")',
      'synthesis.truncation.percentile must be a number in [0, 100] (got 150)',
      'synthesis.budget.reference must be one of mean, min (got "max")',
      'synthesis.budget.clusterFactor must be a finite number > 0 (got 0)',
      'synthesis.budget.hardBound must be true or false (got "yes")',
      'synthesis.budget.scope must be one of network, layer (got "filter")',
      'synthesis.layerFloor.synapseShare must be a number in [0, 1] (got 2)',
      'synthesis.layerFloor.filters must be a whole number ≥ 0 (got 1.5)',
    ]);
    expect(() => validateSynthesisSettings(bad)).toThrow(
      /^Invalid synthesis settings: synthesis\.clusterNormaliser.*layerFloor\.filters/,
    );
  });

  it('rejects non-objects and unknown truncation kinds', () => {
    expect(synthesisSettingsProblems(null)).toEqual(['synthesis settings must be an object (got null)']);
    expect(synthesisSettingsProblems({ ...DEFAULT_SYNTHESIS, truncation: { kind: 'floor' } })).toEqual([
      'synthesis.truncation.kind must be one of mean, fractionOfMax, percentile, none (got "floor")',
    ]);
    expect(
      synthesisSettingsProblems({ ...DEFAULT_SYNTHESIS, truncation: { kind: 'fractionOfMax', fraction: 2 } }),
    ).toEqual(['synthesis.truncation.fraction must be a number in [0, 1] (got 2)']);
  });

  it('fills a partial budget from the defaults', () => {
    const s = resolveSynthesisSettings({ budget: { mode: 'target' }, strength: 'signed' });
    expect(s.budget).toEqual({ ...DEFAULT_SYNTHESIS.budget, mode: 'target' });
    expect(s.strength).toBe('signed');
    expect(s.synapseNormaliser).toBe('mean');
  });
});

describe('mating weights', () => {
  it('are 1/m for each parent by default', () => {
    expect(equalMatingWeights(2)).toEqual({ cluster: [0.5, 0.5], synapse: [0.5, 0.5] });
    expect(equalMatingWeights(1)).toEqual({ cluster: [1], synapse: [1] });
    expect(equalMatingWeights(5).synapse.reduce((a, b) => a + b)).toBeCloseTo(1, 15);
    expect(() => equalMatingWeights(0)).toThrow(/whole number of parents ≥ 1 \(got 0\)/);
  });

  it('may sum to something other than 1 but must be finite, ≥ 0 and not all 0', () => {
    expect(() => assertMatingWeights({ cluster: [0.8, 0.8], synapse: [1, 0] }, 2)).not.toThrow();
    expect(() => assertMatingWeights({ cluster: [0.5], synapse: [0.5, 0.5] }, 2)).toThrow(
      /cluster needs one weight per parent \(2\), got 1/,
    );
    expect(() => assertMatingWeights({ cluster: [0.5, -0.5], synapse: [0.5, 0.5] }, 2)).toThrow(
      /cluster\[1\] must be a finite number ≥ 0 \(got -0.5\)/,
    );
    expect(() => assertMatingWeights({ cluster: [0.5, 0.5], synapse: [Infinity, 0.5] }, 2)).toThrow(/synapse\[0\]/);
    expect(() => assertMatingWeights({ cluster: [0.5, 0.5], synapse: [0, 0] }, 2)).toThrow(/synapse weights are all 0/);
  });
});
