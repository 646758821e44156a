import { describe, expect, it } from 'vitest';
import { configAtGeneration, LIVE_SETTINGS, reportToCsv, settingColumn, startingConfig } from './config-history';
import { resolveConfig } from './config';
import { CSV_COLUMNS, type ConfigChange, type NetworkRecord } from './records';

const record = (generation: number, individual: number, mode: 'asexual' | 'sexual' = 'sexual'): NetworkRecord =>
  ({
    generation,
    mode,
    individual,
    parents: generation === 1 ? [] : [0, 1],
    testAccuracy: 0.9,
    synapses: 100,
    kernels: 10,
    effectiveKernels: 10,
    synapticEfficiency: 2,
    clusterEfficiency: 1.5,
    storageBytes: 400,
    trainSeconds: 1,
    imagesPerSecond: 100,
    epochLosses: [0.5],
    synthesis: null,
  }) as unknown as NetworkRecord;

// Started at ρ 0.7 with equal mating weights; from generation 3, ρ 0.5 and α/β 0.8/0.2; from 4, 3 epochs.
const final = resolveConfig({
  mode: 'sexual',
  generations: 4,
  epochsPerGeneration: 3,
  synthesis: { budget: { rho: 0.5 } },
  mating: { cluster: [0.8, 0.2], synapse: [0.8, 0.2] },
});
const changes: ConfigChange[] = [
  {
    generation: 3,
    changed: ['synthesis.budget.rho', 'mating.cluster', 'mating.synapse'],
    from: { 'synthesis.budget.rho': 0.7, 'mating.cluster': null, 'mating.synapse': null },
    to: { 'synthesis.budget.rho': 0.5, 'mating.cluster': [0.8, 0.2], 'mating.synapse': [0.8, 0.2] },
  },
  { generation: 4, changed: ['epochsPerGeneration'], from: { epochsPerGeneration: 2 }, to: { epochsPerGeneration: 3 } },
];

describe('a run’s settings over time', () => {
  it('rebuilds the configuration of every generation from the final one and the changes', () => {
    const start = startingConfig(final, changes);
    expect(start.unknown).toEqual([]);
    expect(start.config.synthesis.budget.rho).toBe(0.7);
    expect(start.config.mating).toEqual({ cluster: null, synapse: null, fitnessTemperature: 0 });
    expect(start.config.epochsPerGeneration).toBe(2);
    expect(configAtGeneration(final, changes, 2).config).toEqual(start.config);
    const third = configAtGeneration(final, changes, 3).config;
    expect([third.synthesis.budget.rho, third.mating.cluster, third.epochsPerGeneration]).toEqual([0.5, [0.8, 0.2], 2]);
    expect(configAtGeneration(final, changes, 4).config).toEqual(final);
    // The final configuration itself is left as it was.
    expect(final.synthesis.budget.rho).toBe(0.5);
  });

  it('says which values it cannot know (a change recorded without its old value)', () => {
    const legacy: ConfigChange[] = [{ generation: 3, changed: ['synthesis.budget.rho'] }];
    expect(startingConfig(final, legacy).unknown).toEqual(['synthesis.budget.rho']);
    expect(configAtGeneration(final, legacy, 3).unknown).toEqual([]);
  });

  it('writes every live setting on every CSV row, as in effect for that row’s generation', () => {
    const records = [record(1, 0), record(2, 0), record(2, 1), record(3, 0), record(4, 0)];
    const lines = reportToCsv({ records, config: final, configChanges: changes }).trim().split('\n');
    const header = lines[0].split(',');
    expect(header.slice(0, CSV_COLUMNS.length)).toEqual([...CSV_COLUMNS]);
    expect(header.slice(CSV_COLUMNS.length)).toEqual(LIVE_SETTINGS.map(settingColumn));
    for (const name of ['rho', 'alpha_cluster', 'beta_cluster', 'alpha_synapse', 'beta_synapse', 'budget_mode'])
      expect(header).toContain(name);
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    expect(rows).toHaveLength(records.length);
    expect(rows.map((r) => [r.generation, r.rho, r.alpha_cluster, r.beta_cluster, r.epochs_per_generation])).toEqual([
      ['1', '0.7', '0.5', '0.5', '2'],
      ['2', '0.7', '0.5', '0.5', '2'],
      ['2', '0.7', '0.5', '0.5', '2'],
      ['3', '0.5', '0.8', '0.2', '2'],
      ['4', '0.5', '0.8', '0.2', '3'],
    ]);
    expect(rows.every((r) => r.budget_mode === final.synthesis.budget.mode)).toBe(true);
  });

  it('leaves β empty for an asexual run (one parent, weight 1) and unknown values empty', () => {
    const asexual = resolveConfig({ mode: 'asexual', generations: 2 });
    const csv = reportToCsv({
      records: [record(1, 0, 'asexual'), record(2, 0, 'asexual')],
      config: asexual,
      configChanges: [{ generation: 2, changed: ['synthesis.budget.rho'] }],
    });
    const [header, ...lines] = csv
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const rows = lines.map((l) => Object.fromEntries(l.map((v, i) => [header[i], v])));
    expect(rows.map((r) => [r.alpha_cluster, r.beta_cluster, r.rho])).toEqual([
      ['1', '', ''],
      ['1', '', String(asexual.synthesis.budget.rho)],
    ]);
  });
});
