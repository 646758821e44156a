import { describe, expect, it } from 'vitest';
import type { ReproducedExperiment } from '../experiment/summary';
import { experimentTitle, fieldLabel, inFormWords, listInWords } from './plain-words';
import { defaultSetup, setupProblems } from './setup';

const experiment = (name: string, description: string) =>
  ({ name, description, dataset: 'mnist', modes: {} }) as ReproducedExperiment;

describe('plain words', () => {
  it('gives our reproduction experiments readable names and a line on what they tried', () => {
    expect(
      experimentTitle(experiment('mnist-10pct-defaults', '10 % MNIST, 3 seeds, 13 generations, defaults')),
    ).toEqual({
      title: '10 % of MNIST · defaults · 3 seeds',
      description: expect.stringContaining('α = β = 0.5'),
    });
    expect(
      experimentTitle(
        experiment(
          'mnist-10pct-sexual-cluster-budget',
          '10 % MNIST, 1 seed, 13 generations, changed: synthesis.budget.clusterFactor',
        ),
      ).title,
    ).toBe('10 % of MNIST · Cluster factor r_c changed · 1 seed');
    expect(
      experimentTitle(experiment('mnist-full-defaults', 'full MNIST, 1 seed, 13 generations, defaults')).title,
    ).toBe('all of MNIST · defaults · 1 seed');
    // An experiment this page does not know: its own description.
    expect(experimentTitle(experiment('new-one', '10 % MNIST, 2 seeds, changed: parentSelection'))).toEqual({
      title: '10 % of MNIST · Parent choice changed · 2 seeds',
      description: '10 % MNIST, 2 seeds, changed: parentSelection (results/new-one).',
    });
  });

  it('names setup fields as the form does', () => {
    expect(['trainSubset', 'seed', 'population', 'ancestor', 'runs'].map(fieldLabel)).toEqual([
      'Training images',
      'Seed',
      'Population (sexual)',
      'Ancestor',
      'Runs to compare',
    ]);
    expect(listInWords(['a', 'b', 'c'])).toBe('a, b and c');
  });

  it('names the controls the person sees in validation messages', () => {
    const setup = defaultSetup();
    setup.mating = { ...setup.mating, alphaCluster: 0, betaCluster: 0, alphaSynapse: 0, betaSynapse: 0 };
    const problems = setupProblems(setup).map((p) => inFormWords(p, setup));
    expect(problems).toContain('α (parent A) and β (parent B) cannot both be 0');
    expect(problems.every((p) => !/cluster level|synapse level/.test(p))).toBe(true);
    expect(inFormWords('Population must be a whole number from 1 to 8 (got 0)', setup)).toBe(
      'Population (sexual) must be a whole number from 1 to 8 (got 0)',
    );
    // Separate levels: the form shows each level's own label.
    const separate = { mating: { ...setup.mating, linked: false } };
    expect(inFormWords('Mating weights at the cluster level cannot all be 0', separate)).toBe(
      'Mating weights at the cluster level cannot all be 0',
    );
  });
});
