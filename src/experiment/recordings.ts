/**
 * The recorded comparisons the site ships for replay (public/recorded/, written by `npm run
 * recorded`): seed 1 of the reproduction's default comparisons, and the recorded run behind each
 * named preset of the lab (app/presets.ts names its recording here by id). Shared by the CLI that
 * copies the runs and the page that offers them, so the two cannot disagree. Pure data.
 */

export interface Recording {
  /** The id in public/recorded/index.json and the lab's `?replay=<id>` link. */
  id: string;
  name: string;
  /** One line: what the class sees. */
  description: string;
  /** Each replayed run: its run.json relative to results/, and its file name in the recording. */
  runs: { source: string; file: string }[];
}

/** The runs of one experiment kept as `<experiment>/<mode>/seed1/run.json` (the reproduction's layout). */
const modes = (experiment: string, ...names: string[]) =>
  names.map((mode) => ({ source: `${experiment}/${mode}/seed1/run.json`, file: mode }));

/** Sweep points (results/<sweep>/points/<id>/run.json), each saved under its mode's name. */
const points = (sweep: string, ...ids: string[]) =>
  ids.map((id) => ({
    source: `${sweep}/points/${id}/run.json`,
    file: /(?:^|,)mode=([a-z-]+)/.exec(id)![1],
  }));

const BEYOND = 'mnist-10pct-beyond';
const BEYOND_CIFAR = 'cifar10-5k-beyond';

export const RECORDINGS: readonly Recording[] = [
  {
    id: 'mnist-10pct-defaults-seed1',
    name: 'MNIST, asexual vs sexual (seed 1)',
    description:
      'The default comparison on 10 % of MNIST: 13 generations of each, from the same ancestor, as npm run evolve made them (no training in the browser).',
    runs: modes('mnist-10pct-defaults', 'asexual', 'sexual'),
  },
  {
    id: 'mnist-full-defaults-seed1',
    name: 'MNIST, full training set, asexual vs sexual (seed 1)',
    description:
      'The same comparison trained on all 60,000 MNIST images: 13 generations of each, from the same ancestor.',
    runs: modes('mnist-full-defaults', 'asexual', 'sexual'),
  },
  {
    id: 'cifar10-5k-defaults-seed1',
    name: 'CIFAR-10, asexual vs sexual (seed 1)',
    description:
      'The default comparison on 5,000 CIFAR-10 images: 10 generations of each, where the paper saw sexual synthesis ahead.',
    runs: modes('cifar10-5k-defaults', 'asexual', 'sexual'),
  },
  {
    id: 'preset-pruning-seed1',
    name: 'Versus magnitude pruning (10 % MNIST, seed 1)',
    description:
      'Asexual evolution against magnitude pruning and random pruning from one ancestor, each keeping 70 % per generation: magnitude pruning stays the most accurate.',
    runs: points(BEYOND, 'mode=asexual,seed=1', 'mode=magnitude,seed=1', 'mode=random,seed=1'),
  },
  {
    id: 'preset-changing-environment-seed1',
    name: 'Changing environment (10 % MNIST, seed 1)',
    description: 'The budget tightens from ρ = 0.7 to 0.5 at generation 8; mating adapts no better than budding.',
    runs: points(BEYOND, 'mode=asexual,seed=1,rhoSchedule=0.5_8', 'mode=sexual,seed=1,rhoSchedule=0.5_8'),
  },
  {
    id: 'preset-outbreeding-seed1',
    name: 'Outbreeding (10 % MNIST, seed 1)',
    description:
      'Sexual offspring of two unrelated ancestors against asexual synthesis: averaging networks that do not correspond costs accuracy.',
    runs: points(BEYOND, 'mode=asexual,seed=1,ancestors=2', 'mode=sexual,seed=1,ancestors=2'),
  },
  {
    id: 'preset-layer-budget-seed1',
    name: 'Per-layer budget (10 % MNIST, seed 1)',
    description:
      'Each layer keeps about ρ of its synapses: the extension that helped sexual synthesis most, still behind asexual.',
    runs: points(BEYOND, 'mode=asexual,seed=1,budgetScope=layer', 'mode=sexual,seed=1,budgetScope=layer'),
  },
  {
    id: 'cifar10-5k-pruning-seed1',
    name: 'CIFAR-10: evolution against magnitude pruning, global and per layer (seed 1)',
    description:
      'On 5,000 CIFAR-10 images, pruning the smallest weights of the whole network starves conv1 and collapses; pruning each layer alike beats evolution.',
    runs: points(BEYOND_CIFAR, 'mode=asexual,seed=1', 'mode=magnitude,seed=1', 'mode=magnitude-layerwise,seed=1'),
  },
];

export function recordingById(id: string): Recording | undefined {
  return RECORDINGS.find((r) => r.id === id);
}
