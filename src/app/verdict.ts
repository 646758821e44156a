/**
 * The honest verdict: which run is more compact at the first ≥ 3-point accuracy drop and at equal
 * generations, how that compares with the paper's claim and with our reproduction over seeds, and
 * what it means, in plain words computed from the runs on the page. Pure.
 *
 * Every number is a generation's population mean (runCurve), as in docs/RESULTS.md; the charts'
 * lines follow each generation's most accurate network instead.
 */
import type { DatasetName } from '../experiment/config';
import { PAPER_POINTS, type PaperPoint } from '../experiment/paper';
import type { NetworkRecord } from '../experiment/records';
import {
  firstDropGeneration,
  mean,
  runCurve,
  type GenerationPoint,
  type ReproducedExperiment,
} from '../experiment/summary';

/** Accuracy points below the ancestor that count as "lost accuracy" (the paper's 3–4 % drop point). */
export const DROP_POINTS = 3;
/** Efficiency ratios within this factor of 1 count as "about equal". */
export const EVEN_WITHIN = 1.25;

export interface VerdictRunInput {
  id: string;
  label: string;
  mode: string;
  records: readonly NetworkRecord[];
  /** Still training: the verdict is "so far". */
  active: boolean;
}

export interface PointSummary {
  generation: number;
  accuracy: number;
  synapticEfficiency: number;
  clusterEfficiency: number;
}

export interface RunVerdict {
  id: string;
  label: string;
  mode: string;
  ancestorAccuracy: number | null;
  /** Its newest finished generation. */
  lastGeneration: number;
  /** The first generation ≥ DROP_POINTS below the ancestor, or null. */
  drop: PointSummary | null;
  atEqual: PointSummary | null;
  last: PointSummary | null;
  /** Mean share of N_ref its offspring kept, or null before any offspring. */
  retention: number | null;
}

/** Which of a pair is ahead: the other run, the reference run, neither, or not yet known. */
export type Lead = 'other' | 'reference' | 'even' | 'undecided';

export interface PairVerdict {
  reference: RunVerdict;
  other: RunVerdict;
  atDrop: { lead: Lead; ratio: number | null; text: string };
  atEqual: { lead: Lead; ratio: number | null; text: string };
}

export interface Verdict {
  /** The newest generation every run has finished (null with no finished generation). */
  equalGeneration: number | null;
  runs: RunVerdict[];
  pairs: PairVerdict[];
  headline: string;
  paper: string | null;
  reproduced: { name: string; text: string; lead: Lead } | null;
  meaning: string;
  /** Some run is still training. */
  partial: boolean;
}

const point = (p: GenerationPoint): PointSummary => ({
  generation: p.generation,
  accuracy: p.accuracy,
  synapticEfficiency: p.synapticEfficiency,
  clusterEfficiency: p.clusterEfficiency,
});

const times = (x: number) => `${x >= 100 ? Math.round(x) : Number(x.toPrecision(3))}×`;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const points = (x: number) => `${x >= 0 ? '−' : '+'}${Math.abs(100 * x).toFixed(1)} points`;

function summariseRun(run: VerdictRunInput, equalGeneration: number | null): RunVerdict {
  const curve = runCurve(run.records);
  const ancestor = curve.find((p) => p.generation === 1) ?? null;
  const drop = firstDropGeneration(curve, DROP_POINTS);
  const at = equalGeneration === null ? undefined : curve.find((p) => p.generation === equalGeneration);
  const offspring = run.records.filter((r) => r.synthesis);
  return {
    id: run.id,
    label: run.label,
    mode: run.mode,
    ancestorAccuracy: ancestor?.accuracy ?? null,
    lastGeneration: curve.at(-1)?.generation ?? 0,
    drop: drop ? point(drop) : null,
    atEqual: at ? point(at) : null,
    last: curve.length ? point(curve.at(-1)!) : null,
    retention: offspring.length ? mean(offspring.map((r) => r.synthesis!.retention)) : null,
  };
}

function leadOf(ratio: number): Lead {
  return ratio >= EVEN_WITHIN ? 'other' : ratio <= 1 / EVEN_WITHIN ? 'reference' : 'even';
}

const describePoint = (p: PointSummary, ancestor: number | null) =>
  `${times(p.synapticEfficiency)} fewer synapses and ${times(p.clusterEfficiency)} fewer kernels at ${pct(p.accuracy)}${
    ancestor === null ? '' : ` (${points(ancestor - p.accuracy)})`
  }`;

function compareAtDrop(ref: RunVerdict, other: RunVerdict): PairVerdict['atDrop'] {
  const lost = `lost ${DROP_POINTS} points of accuracy`;
  const where = (r: RunVerdict) =>
    r.drop
      ? `${r.label} first ${lost} at generation ${r.drop.generation}, with ${describePoint(r.drop, r.ancestorAccuracy)}`
      : `${r.label} has not ${lost} in ${r.lastGeneration} generations`;
  const both = `${cap(where(ref))}; ${where(other)}.`;
  if (ref.drop && other.drop) {
    const ratio = other.drop.synapticEfficiency / ref.drop.synapticEfficiency;
    return { lead: leadOf(ratio), ratio, text: both };
  }
  // One has dropped: the other leads if it is already more compact without having dropped.
  if (ref.drop && other.last && other.last.synapticEfficiency >= ref.drop.synapticEfficiency)
    return { lead: 'other', ratio: null, text: `${both} ${other.label} is already more compact without that loss.` };
  if (other.drop && ref.last && ref.last.synapticEfficiency >= other.drop.synapticEfficiency)
    return { lead: 'reference', ratio: null, text: `${both} ${ref.label} is already more compact without that loss.` };
  return { lead: 'undecided', ratio: null, text: both };
}

function compareAtEqual(ref: RunVerdict, other: RunVerdict, g: number | null): PairVerdict['atEqual'] {
  if (g === null || !ref.atEqual || !other.atEqual)
    return { lead: 'undecided', ratio: null, text: 'No generation is finished by both runs yet.' };
  const ratio = other.atEqual.synapticEfficiency / ref.atEqual.synapticEfficiency;
  return {
    lead: g < 2 ? 'undecided' : leadOf(ratio),
    ratio,
    text: `At generation ${g}, ${ref.label} has ${describePoint(ref.atEqual, ref.ancestorAccuracy)}; ${other.label} has ${describePoint(other.atEqual, other.ancestorAccuracy)}.`,
  };
}

/** The paper's points for the comparison: per mode, its first reported offspring (the 3–4 % drop point). */
function paperPair(dataset: DatasetName): { asexual: PaperPoint; sexual: PaperPoint } | null {
  const first = (mode: string) => PAPER_POINTS[dataset].find((p) => p.mode === mode && p.generation > 1);
  const asexual = first('asexual');
  const sexual = first('sexual');
  return asexual && sexual ? { asexual, sexual } : null;
}

/** Synapses kept per generation implied by an efficiency at a generation: eff^(−1/(g−1)) (ALGORITHM.md §1.5). */
export const impliedRetention = (efficiency: number, generation: number) => efficiency ** (-1 / (generation - 1));

function paperText(dataset: DatasetName): string | null {
  const pair = paperPair(dataset);
  if (!pair) return null;
  const { asexual: a, sexual: s } = pair;
  const ancestor = PAPER_POINTS[dataset].find((p) => p.mode === 'ancestor')?.testAccuracy ?? null;
  const at = (p: PaperPoint) =>
    `${times(p.synapticEfficiency)} fewer synapses and ${times(p.clusterEfficiency)} fewer kernels at generation ${p.generation} (${pct(p.testAccuracy)}${ancestor === null ? '' : `, ${points(ancestor - p.testAccuracy)}`})`;
  return `The paper (Chung et al. 2017) reports sexual synthesis ahead: ${at(s)}, against asexual synthesis’s ${at(a)}. Its sexual run kept about ${impliedRetention(s.synapticEfficiency, s.generation).toFixed(2)} of the synapses per generation, its asexual run ${impliedRetention(a.synapticEfficiency, a.generation).toFixed(2)}.`;
}

/** Our reproduction's seed means compared the same way as the runs on the page. */
export function reproducedSummary(e: ReproducedExperiment): { name: string; text: string; lead: Lead } | null {
  const curve = (mode: string) =>
    (e.modes[mode]?.points ?? []).map((p) => ({
      generation: p.generation,
      accuracy: p.accuracy.mean,
      synapticEfficiency: p.synapticEfficiency.mean,
      clusterEfficiency: p.clusterEfficiency.mean,
    }));
  const a = curve('asexual');
  const s = curve('sexual');
  if (!a.length || !s.length) return null;
  const seeds = Math.min(new Set(e.modes.asexual.seeds).size, new Set(e.modes.sexual.seeds).size);
  const asRun = (label: string, c: PointSummary[]): RunVerdict => ({
    id: label,
    label,
    mode: label,
    ancestorAccuracy: c.find((p) => p.generation === 1)?.accuracy ?? null,
    lastGeneration: c.at(-1)!.generation,
    drop: firstDropGeneration(c, DROP_POINTS),
    atEqual: null,
    last: c.at(-1)!,
    retention: null,
  });
  const cmp = compareAtDrop(asRun('asexual', a), asRun('sexual', s));
  const outcome =
    cmp.lead === 'other'
      ? 'there, sexual synthesis was more compact'
      : cmp.lead === 'reference'
        ? 'there, sexual synthesis was not more compact: asexual was'
        : cmp.lead === 'even'
          ? 'there, sexual synthesis was not more compact: the two were about equal'
          : 'there, it was not decided';
  return {
    name: e.name,
    lead: cmp.lead,
    text: `Our reproduction (${e.description || e.name}; means of ${seeds} seed${seeds === 1 ? '' : 's'}): ${lowerFirst(cmp.text.replace(/\.$/, ''))}; ${outcome}.`,
  };
}

/** The reference of the comparison: the first asexual run, else the first run. */
function referenceOf(runs: RunVerdict[]): RunVerdict | null {
  return runs.find((r) => r.mode === 'asexual') ?? runs[0] ?? null;
}

const ahead = (lead: Lead) => lead === 'other';

function headlineOf(pair: PairVerdict | undefined, partial: boolean): string {
  if (!pair) return 'Start at least two runs to compare them.';
  const { reference: ref, other } = pair;
  const soFar = partial ? ' so far' : '';
  const lead = pair.atDrop.lead !== 'undecided' ? pair.atDrop.lead : pair.atEqual.lead;
  const basis =
    pair.atDrop.lead !== 'undecided'
      ? `at the first ${DROP_POINTS}-point drop in accuracy`
      : pair.atEqual.lead !== 'undecided'
        ? 'at equal generations (neither comparison at a drop is decided yet)'
        : '';
  switch (lead) {
    case 'other':
      return `${cap(other.label)} compacted faster than ${ref.label}${soFar}, ${basis}.`;
    case 'reference':
      return `${cap(other.label)} did not compact faster than ${ref.label}${soFar}: ${ref.label} was more compact ${basis}.`;
    case 'even':
      return `${cap(other.label)} did not compact faster than ${ref.label}${soFar}: the two were about equally compact ${basis}.`;
    default:
      return `Not decided yet: run more generations, until the runs lose ${DROP_POINTS} points of accuracy.`;
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function meaningOf(pair: PairVerdict | undefined, dataset: DatasetName, reproduced: Verdict['reproduced']): string {
  if (!pair) return '';
  const lead = pair.atDrop.lead !== 'undecided' ? pair.atDrop.lead : pair.atEqual.lead;
  if (lead === 'undecided')
    return `Come back when both runs have lost a few points of accuracy: that is where the paper compares them.`;
  const { reference: ref, other } = pair;
  const isModes = ref.mode === 'asexual' && other.mode === 'sexual';
  // How fast each shrank: the share of its parents' synapses an offspring kept, on average.
  const kept =
    ref.retention !== null && other.retention !== null
      ? Math.abs(ref.retention - other.retention) < 0.03
        ? ` Both kept about the same share of their parents’ synapses each generation (${ref.label} ${ref.retention.toFixed(2)}, ${other.label} ${other.retention.toFixed(2)}), so neither shrank faster.`
        : ` ${cap(other.label)} kept ${other.retention.toFixed(2)} of its parents’ synapses each generation, ${ref.label} ${ref.retention.toFixed(2)}.`
      : '';
  const pp = paperPair(dataset);
  const paperKept = pp
    ? ` The paper’s sexual run kept about ${impliedRetention(pp.sexual.synapticEfficiency, pp.sexual.generation).toFixed(2)}.`
    : '';
  if (!isModes)
    return `This compares two of your own runs; the paper’s claim is about asexual against sexual synthesis.${kept}`;
  const withRepro =
    reproduced === null
      ? ''
      : ahead(reproduced.lead) === ahead(lead)
        ? ' It agrees with our reproduction over seeds.'
        : ' Our reproduction over seeds found otherwise: one short run is not a verdict; try more generations or another seed.';
  if (ahead(lead)) return `Here sexual synthesis did what the paper reports.${withRepro}${kept}${paperKept}`;
  return `Here sexual synthesis did not do what the paper reports.${withRepro}${kept}${paperKept}`;
}

export function computeVerdict(
  inputs: readonly VerdictRunInput[],
  dataset: DatasetName,
  reproduced: ReproducedExperiment | null,
): Verdict {
  const withRecords = inputs.filter((r) => r.records.length > 0);
  const lasts = withRecords.map((r) => Math.max(...r.records.map((x) => x.generation)));
  const equalGeneration = lasts.length ? Math.min(...lasts) : null;
  const runs = withRecords.map((r) => summariseRun(r, equalGeneration));
  const ref = referenceOf(runs);
  const pairs: PairVerdict[] = ref
    ? runs
        .filter((r) => r !== ref)
        .map((other) => ({
          reference: ref,
          other,
          atDrop: compareAtDrop(ref, other),
          atEqual: compareAtEqual(ref, other, equalGeneration),
        }))
    : [];
  const partial = inputs.some((r) => r.active);
  const main = pairs.find((p) => p.reference.mode === 'asexual' && p.other.mode === 'sexual') ?? pairs[0];
  const repro = reproduced ? reproducedSummary(reproduced) : null;
  return {
    equalGeneration,
    runs,
    pairs,
    headline: headlineOf(main, partial),
    paper: paperText(dataset),
    reproduced: repro,
    meaning: meaningOf(main, dataset, repro),
    partial,
  };
}
