/**
 * Named presets (issue 19): the best setting of each question of docs/RESULTS.md's "Beyond the
 * paper", as a patch of the lab's setup. Applying one starts from the lab's defaults for the
 * current dataset (so nothing set earlier lingers), keeps the ancestor's source and the data
 * sizes, and sets the patch, runs included. Pure: no React.
 *
 * `replay` names the recorded comparison its numbers come from (experiment/recordings.ts: headless
 * runs on 10 % MNIST, seed 1, 13 generations, one per run of the preset), which the site ships
 * for instant replay.
 */
import { defaultSetup, type LabSetup } from './setup';

export interface Preset {
  id: string;
  name: string;
  /** One line: what it shows. */
  description: string;
  patch: Partial<LabSetup>;
  /** The id of its recorded comparison (experiment/recordings.ts), one run per run of the preset, in order. */
  replay: string;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'paper',
    name: 'The paper’s setup',
    description:
      'Asexual against sexual synthesis with the paper’s settings (ρ = 0.7, α = β = 0.5, 13 generations): both shrink alike.',
    patch: { generations: 13, runs: [{ mode: 'asexual' }, { mode: 'sexual' }] },
    replay: 'mnist-10pct-defaults-seed1',
  },
  {
    id: 'pruning',
    name: 'Versus magnitude pruning',
    description:
      'Asexual evolution against keeping the largest weights and against random pruning, each keeping 70 % per generation.',
    patch: { generations: 13, runs: [{ mode: 'asexual' }, { mode: 'magnitude' }, { mode: 'random' }] },
    replay: 'preset-pruning-seed1',
  },
  {
    id: 'changing-environment',
    name: 'Changing environment',
    description: 'The budget tightens from ρ = 0.7 to 0.5 at generation 8: does mating adapt better than budding?',
    patch: { generations: 13, rhoSchedule: '0.5@8', runs: [{ mode: 'asexual' }, { mode: 'sexual' }] },
    replay: 'preset-changing-environment-seed1',
  },
  {
    id: 'outbreeding',
    name: 'Outbreeding',
    description:
      'Two ancestors trained from different starts, so that sexual offspring mate unrelated networks, against asexual synthesis.',
    patch: { generations: 13, ancestors: 2, runs: [{ mode: 'asexual' }, { mode: 'sexual' }] },
    replay: 'preset-outbreeding-seed1',
  },
  {
    id: 'layer-budget',
    name: 'Per-layer budget',
    description:
      'Each layer keeps about ρ of its synapses: the extension that helped sexual synthesis most, though still less efficient than asexual.',
    patch: { generations: 13, budgetScope: 'layer', runs: [{ mode: 'asexual' }, { mode: 'sexual' }] },
    replay: 'preset-layer-budget-seed1',
  },
];

export function presetById(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** The setup a preset makes from the current one: the lab's defaults, the current data sizes and ancestor source, the patch. */
export function applyPreset(current: LabSetup, preset: Preset): LabSetup {
  const base = defaultSetup(preset.patch.dataset ?? current.dataset);
  const kept: Partial<LabSetup> =
    base.dataset === current.dataset
      ? { trainSubset: current.trainSubset, testSubset: current.testSubset, backend: current.backend }
      : { backend: current.backend };
  return {
    ...base,
    ...kept,
    ancestor: current.ancestor,
    ...structuredClone(preset.patch),
    runs: structuredClone(preset.patch.runs ?? base.runs),
  };
}
