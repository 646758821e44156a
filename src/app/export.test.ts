import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../experiment/config';
import type { NetworkRecord } from '../experiment/records';
import { csvOf, reportOf } from './export';
import { newRun } from './state';

const record = (generation: number) =>
  ({
    generation,
    mode: 'sexual',
    individual: 0,
    parents: [],
    testAccuracy: 0.9,
    synapses: 100,
    kernels: 10,
    effectiveKernels: 10,
    synapticEfficiency: 2,
    clusterEfficiency: 1.5,
    storageBytes: 400,
    trainSeconds: 1,
    imagesPerSecond: 100,
    epochLosses: [],
    synthesis: null,
  }) as unknown as NetworkRecord;

describe('the lab’s exports', () => {
  const final = resolveConfig({ mode: 'sexual', generations: 3, synthesis: { budget: { rho: 0.45 } } });
  const run = {
    ...newRun('r', { mode: 'sexual' }, 'sexual', '#00f', final),
    records: [record(1), record(2), record(3)],
    configChanges: [
      {
        generation: 3,
        changed: ['synthesis.budget.rho'],
        from: { 'synthesis.budget.rho': 0.7 },
        to: { 'synthesis.budget.rho': 0.45 },
      },
    ],
  };

  it('keeps the starting configuration and each change with its old and new values in the JSON', () => {
    const doc = JSON.parse(JSON.stringify(reportOf(run)));
    expect(doc.config.synthesis.budget.rho).toBe(0.45);
    expect(doc.startingConfig.synthesis.budget.rho).toBe(0.7);
    expect({ ...doc.startingConfig, synthesis: null }).toEqual({ ...doc.config, synthesis: null });
    expect(doc.configChanges).toEqual(run.configChanges);
    expect(doc.startingConfigUnknown).toBeUndefined();
    // Without changes there is nothing to add: config is where it started.
    expect(reportOf({ ...run, configChanges: [] })).not.toHaveProperty('startingConfig');
  });

  it('writes ρ, α and β on every CSV row', () => {
    const [header, ...rows] = csvOf(run)
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const col = (name: string) => rows.map((r) => r[header.indexOf(name)]);
    expect(col('rho')).toEqual(['0.7', '0.7', '0.45']);
    expect(col('alpha_cluster')).toEqual(['0.5', '0.5', '0.5']);
    expect(col('beta_synapse')).toEqual(['0.5', '0.5', '0.5']);
  });
});
