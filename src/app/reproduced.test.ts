import { describe, expect, it } from 'vitest';
import type { ReproducedCurves, ReproducedExperiment, SeedSummaryPoint } from '../experiment/summary';
import {
  defaultExperiment,
  experimentsFor,
  formatStat,
  parseReproduced,
  pickExperiment,
  reproducedSeries,
  seedCount,
} from './reproduced';
import { ASEXUAL_RED, SEXUAL_BLUE } from './setup';

const stat = (mean: number, std = 0, n = 3) => ({ mean, std, n });
const point = (generation: number, accuracy: number, synaptic: number, n = 3): SeedSummaryPoint => ({
  generation,
  accuracy: stat(accuracy, 0.01, n),
  bestAccuracy: stat(accuracy + 0.005, 0.01, n),
  synapticEfficiency: stat(synaptic, 0.5, n),
  clusterEfficiency: stat(Math.sqrt(synaptic), 0.1, n),
});
const experiment = (
  name: string,
  dataset: 'mnist' | 'cifar10',
  modes: ReproducedExperiment['modes'] = {},
): ReproducedExperiment => ({ name, dataset, description: `${name} runs`, modes });

const curves: ReproducedCurves = {
  generatedAt: '2025-01-01T00:00:00.000Z',
  experiments: [
    experiment('mnist-10pct-rho0.5', 'mnist', { asexual: { seeds: [1], points: [point(1, 0.97, 1)] } }),
    experiment('cifar-default', 'cifar10', { asexual: { seeds: [1], points: [point(1, 0.7, 1)] } }),
    experiment('mnist-10pct-default', 'mnist', {
      // Out of order on purpose: the lines are asexual, sexual, then others, each by generation.
      multiparent: { seeds: [1, 2], points: [point(1, 0.97, 1, 2)] },
      sexual: { seeds: [1, 2, 3], points: [point(2, 0.96, 3), point(1, 0.97, 1)] },
      asexual: { seeds: [1, 2, 3], points: [point(1, 0.97, 1), point(2, 0.95, 2)] },
    }),
    experiment('mnist-empty', 'mnist'),
  ],
};

describe('reproduced runs', () => {
  it('picks the experiments of the dataset, and by default the first named "default"', () => {
    const mnist = experimentsFor(curves, 'mnist');
    expect(mnist.map((e) => e.name)).toEqual(['mnist-10pct-rho0.5', 'mnist-10pct-default']);
    expect(defaultExperiment(mnist)?.name).toBe('mnist-10pct-default');
    expect(defaultExperiment(mnist.slice(0, 1))?.name).toBe('mnist-10pct-rho0.5');
    expect(defaultExperiment([])).toBeNull();
    expect(pickExperiment(mnist, 'mnist-10pct-rho0.5')?.name).toBe('mnist-10pct-rho0.5');
    // A choice made for the other dataset falls back to the default.
    expect(pickExperiment(mnist, 'cifar-default')?.name).toBe('mnist-10pct-default');
    expect(pickExperiment(experimentsFor(curves, 'cifar10'), null)?.name).toBe('cifar-default');
    expect(experimentsFor(null, 'mnist')).toEqual([]);
  });

  it('turns an experiment into one seed-mean line per mode for each metric', () => {
    const exp = pickExperiment(experimentsFor(curves, 'mnist'), null)!;
    const accuracy = reproducedSeries(exp, 'testAccuracy');
    expect(accuracy.map((s) => s.mode)).toEqual(['asexual', 'sexual', 'multiparent']);
    expect(accuracy[0]).toMatchObject({
      colour: ASEXUAL_RED,
      label: 'ours, asexual (mean of 3 seeds)',
      seeds: [1, 2, 3],
    });
    expect(accuracy[1].colour).toBe(SEXUAL_BLUE);
    // Test accuracy is the population mean (not the best network), as in docs/RESULTS.md.
    expect(accuracy[0].points).toEqual([
      { generation: 1, value: 0.97, std: 0.01, n: 3 },
      { generation: 2, value: 0.95, std: 0.01, n: 3 },
    ]);
    expect(accuracy[1].points.map((p) => p.generation)).toEqual([1, 2]);
    expect(reproducedSeries(exp, 'synapticEfficiency')[1].points.map((p) => [p.value, p.std])).toEqual([
      [1, 0.5],
      [3, 0.5],
    ]);
    expect(reproducedSeries(exp, 'clusterEfficiency')[0].points.map((p) => p.value)).toEqual([1, Math.SQRT2]);
    expect(seedCount(exp)).toBe('2–3 seeds');
    expect(seedCount(curves.experiments[0])).toBe('1 seed');
  });

  it('formats mean ± std like the tables', () => {
    expect(formatStat('testAccuracy', 0.97123, 0.0035)).toBe('97.12 ± 0.35 %');
    expect(formatStat('synapticEfficiency', 12.3, 1.015)).toBe('12.30 ± 1.01×');
  });

  it('accepts only well-formed files, keeping their good experiments', () => {
    expect(parseReproduced(JSON.parse(JSON.stringify(curves)))?.experiments).toHaveLength(4);
    for (const bad of [
      null,
      'x',
      [],
      {},
      { experiments: 'no' },
      { experiments: [] },
      { experiments: [{ name: 'a', dataset: 'svhn', modes: {} }] },
    ])
      expect(parseReproduced(bad)).toBeNull();
    const broken = {
      name: 'broken',
      dataset: 'mnist',
      modes: { asexual: { seeds: [1], points: [{ generation: 1, accuracy: 0.9 }] } },
    };
    const parsed = parseReproduced({ experiments: [broken, { ...curves.experiments[0], description: undefined }] });
    expect(parsed?.experiments.map((e) => e.name)).toEqual(['mnist-10pct-rho0.5']);
    expect(parsed?.experiments[0].description).toBe('');
    expect(parsed?.generatedAt).toBe('');
  });
});
