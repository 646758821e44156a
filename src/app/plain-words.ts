/**
 * Plain words for what the page shows: readable names of our reproduction experiments, and
 * messages that name the controls as the form labels them. Pure.
 */
import { ALL_SETTINGS } from '../experiment/settings-table';
import type { ReproducedExperiment } from '../experiment/summary';
import type { LabSetup } from './setup';

/** What each stored experiment tried, in a line (the rest is read from its description). */
const WHAT_IT_TRIED: Record<string, string> = {
  'mnist-10pct-defaults':
    'Asexual and sexual runs with the defaults: budget ρ = 0.7, α = β = 0.5, 2 epochs a generation.',
  'mnist-full-defaults': 'The defaults on all 60,000 MNIST training images.',
  'mnist-10pct-sexual-cluster-budget':
    'Sexual runs with the budget applied to whole filters too (cluster factor r_c = ρ).',
  'mnist-10pct-sexual-fittest4':
    'Sexual runs with 4 offspring a generation, the 2 most accurate becoming the next parents.',
  'mnist-10pct-sexual-ref-min': 'Sexual runs whose budget is a share of the smaller parent, not of the parents’ mean.',
  'mnist-10pct-sexual-signed': 'Sexual runs that blend signed weights, so parents that disagree in sign cancel out.',
  'cifar10-5k-defaults':
    'Asexual and sexual runs with the CIFAR-10 defaults: 20-epoch ancestor, 5 epochs a generation.',
  'cifar10-4k-first-pass': 'A first CIFAR-10 attempt: a 10-epoch ancestor and a 2,000-image test subset.',
};

const settingLabel = (path: string) => ALL_SETTINGS.find((s) => s.path === path)?.label ?? path;

/**
 * "10 % MNIST, 3 seeds, 13 generations, changed: synthesis.budget.reference" →
 * title "10 % of MNIST · Budget reference changed · 3 seeds" and a one-line description.
 */
export function experimentTitle(e: ReproducedExperiment): { title: string; description: string } {
  const parts = e.description
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const data = parts[0]
    ?.replace(/^(\d+ %) (MNIST|CIFAR-10)$/, '$1 of $2')
    .replace(/^full (MNIST|CIFAR-10)$/, 'all of $1');
  const seeds = parts.find((p) => /\bseeds?\b/.test(p));
  const changed = parts.find((p) => p.startsWith('changed:'));
  const what = changed
    ? `${changed.slice('changed:'.length).split(/\s+/).filter(Boolean).map(settingLabel).join(', ')} changed`
    : parts.includes('defaults')
      ? 'defaults'
      : null;
  const title = [data ?? e.name, what, seeds].filter(Boolean).join(' · ');
  const description = WHAT_IT_TRIED[e.name] ?? `${e.description || e.name} (results/${e.name}).`;
  return { title, description };
}

/** The form's name of a setup field (FROZEN_DURING_RUN names fields by their code names). */
export function fieldLabel(field: string): string {
  if (field === 'ancestor') return 'Ancestor';
  if (field === 'runs') return 'Runs to compare';
  const s = ALL_SETTINGS.find((x) => x.id === field);
  return s ? (s.lab?.label ?? s.label) : field;
}

/** "a, b and c" */
export function listInWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * A validation message in the words of the form: a setting named by the table's label is named
 * as the form labels it (e.g. the mating weights, which the form shows as one α and one β while
 * the two levels are linked).
 */
export function inFormWords(problem: string, setup: Pick<LabSetup, 'mating'>): string {
  let text = problem;
  if (setup.mating.linked) {
    text = text
      .replace(
        /Mating weights at the (cluster|synapse) level cannot all be 0/,
        'α (parent A) and β (parent B) cannot both be 0',
      )
      .replace(/^α (cluster|synapse) level\b/, 'α (parent A)')
      .replace(/^β (cluster|synapse) level\b/, 'β (parent B)');
  }
  for (const s of ALL_SETTINGS)
    if (s.lab && 'label' in s.lab && s.lab.label && text.startsWith(`${s.label} `))
      text = `${s.lab.label}${text.slice(s.label.length)}`;
  return text;
}
