import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../experiment/records';
import { recordingById } from '../experiment/recordings';
import { applyPreset, presetById, PRESETS } from './presets';
import { configFor, defaultSetup, setupProblems } from './setup';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('presets', () => {
  it('are the four questions of the issue and the best extension, each with a name, a one-line description and runs', () => {
    expect(PRESETS.map((p) => p.id)).toEqual([
      'paper',
      'pruning',
      'changing-environment',
      'outbreeding',
      'layer-budget',
    ]);
    for (const p of PRESETS) {
      expect(p.name.length).toBeGreaterThan(3);
      expect(p.description).not.toContain('\n');
      expect(p.patch.runs?.length).toBeGreaterThan(0);
      expect(presetById(p.id)).toBe(p);
    }
  });

  it('resolve to valid run configurations on either dataset', () => {
    for (const dataset of ['mnist', 'cifar10'] as const)
      for (const p of PRESETS) {
        const setup = applyPreset(defaultSetup(dataset), p);
        expect(setupProblems(setup), `${p.id} on ${dataset}`).toEqual([]);
        expect(setup.runs.map((v) => configFor(setup, v).mode)).toEqual(p.patch.runs!.map((v) => v.mode));
      }
  });

  it('set what they say, and nothing set before lingers', () => {
    const before = { ...defaultSetup(), rho: 0.3, seed: 9, trainSubset: 1200, ancestor: 'train' as const };
    const changing = applyPreset(before, presetById('changing-environment')!);
    expect(changing.runs.map((v) => configFor(changing, v).rhoSchedule)).toEqual(['0.5@8', '0.5@8']);
    expect(changing.rho).toBe(0.7);
    expect(changing.seed).toBe(defaultSetup().seed);
    // The data size and the ancestor's source are the person's, not the preset's.
    expect(changing.trainSubset).toBe(1200);
    expect(changing.ancestor).toBe('train');

    const paper = applyPreset(changing, presetById('paper')!);
    expect(paper.rhoSchedule).toBe('');
    expect(paper.runs.map((v) => configFor(paper, v).synthesis.budget.rho)).toEqual([0.7, 0.7]);

    const out = applyPreset(paper, presetById('outbreeding')!);
    const sexual = configFor(
      out,
      out.runs.find((v) => v.mode === 'sexual')!,
    );
    expect(sexual.ancestors).toBe(2);

    const layer = applyPreset(out, presetById('layer-budget')!);
    expect(layer.runs.map((v) => configFor(layer, v).synthesis.budget.scope)).toEqual(['layer', 'layer']);
    expect(layer.ancestors).toBe(1);

    const pruning = applyPreset(paper, presetById('pruning')!);
    expect(pruning.runs.map((v) => v.mode)).toContain('magnitude');
    // Applying copies: changing the setup does not change the preset.
    pruning.runs.push({ mode: 'random' });
    expect(presetById('pruning')!.patch.runs).toHaveLength(3);
  });

  it('name a recorded comparison the site ships, with the same modes and settings, one run per run', () => {
    const shipped = JSON.parse(readFileSync(path.join(REPO_ROOT, 'public/recorded/index.json'), 'utf8')) as {
      recorded: { id: string; files: string[] }[];
    };
    for (const p of PRESETS) {
      const recording = recordingById(p.replay);
      expect(recording, p.id).toBeDefined();
      expect(recording!.runs).toHaveLength(p.patch.runs!.length);
      const entry = shipped.recorded.find((e) => e.id === p.replay);
      expect(entry?.files, `${p.replay} in public/recorded/index.json`).toHaveLength(p.patch.runs!.length);
      const setup = applyPreset(defaultSetup('mnist'), p);
      entry!.files.forEach((shippedFile, i) => {
        const file = path.join('public/recorded', shippedFile);
        expect(existsSync(path.join(REPO_ROOT, file)), file).toBe(true);
        const run = JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as RunReport;
        const lab = configFor(setup, setup.runs[i]);
        expect(run.finished, file).toBe(true);
        expect(run.config.mode, file).toBe(lab.mode);
        for (const key of ['rhoSchedule', 'ancestors', 'islands', 'parentSelection', 'generations'] as const)
          expect(run.config[key], `${file}: ${key}`).toEqual(lab[key]);
        expect(run.config.synthesis.budget, file).toEqual(lab.synthesis.budget);
        expect(run.config.synthesis.layerFloor, file).toEqual(lab.synthesis.layerFloor);
      });
    }
  });
});
