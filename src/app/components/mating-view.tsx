/**
 * The mating view: for a chosen run, generation, network and layer, parent A's and parent B's
 * kernel masks and filter strengths, the mated cluster probabilities (what α/β did, redrawn for
 * other α/β on demand), and the child's mask with each live kernel coloured by where it came
 * from; for asexual runs, parent → child. Everything is read from the records (mating-view.ts).
 */
import { memo, useMemo, useState } from 'react';
import {
  matedProbabilities,
  matingPicture,
  meanGap,
  ownProbabilities,
  totalCounts,
  type MatingLayer,
  type MatingPicture,
} from '../../experiment/mating-view';
import type { NetworkRecord } from '../../experiment/records';
import type { RunConfig } from '../../experiment/config';
import { bestPerGeneration } from '../series';
import { MetricExplain } from './explain';
import { FilterBars, MaskCanvas } from './mask-canvas';
import { useRunFacts } from './run-facts';

export const ORIGIN_COLOURS = { dead: '#e4e7eb', both: '#12263f', onlyA: '#c85200', onlyB: '#6a3d9a' } as const;
/** Palettes indexed by state: a parent's mask (dead, alive), the child's (dead, both, only A, only B). */
const PARENT_PALETTE = [ORIGIN_COLOURS.dead, ORIGIN_COLOURS.both];
const CHILD_PALETTE = [ORIGIN_COLOURS.dead, ORIGIN_COLOURS.both, ORIGIN_COLOURS.onlyA, ORIGIN_COLOURS.onlyB];

interface RunInfo {
  id: string;
  label: string;
  mode: string;
  records: NetworkRecord[];
  config: RunConfig;
}

const fmt = (x: number, digits = 2) => String(Number(x.toFixed(digits)));
const pctText = (x: number) => `${(100 * x).toFixed(1)} %`;

export function MatingView() {
  const [open, setOpen] = useState(false);
  const runs: RunInfo[] = useRunFacts();
  const withOffspring = runs.filter((r) => r.records.some((x) => x.generation >= 2));
  return (
    <section className="teach-section mating" aria-labelledby="mating-title" data-testid="mating-section">
      <div className="section-head">
        <h2 id="mating-title">Mating: parents → child</h2>
        <button
          type="button"
          className="small"
          aria-expanded={open}
          aria-controls="mating-body"
          data-testid="mating-toggle"
          onClick={() => setOpen(!open)}
        >
          {open ? 'Close the mating view' : 'Open the mating view'}
        </button>
      </div>
      <div id="mating-body" hidden={!open}>
        {!open ? null : withOffspring.length ? (
          <MatingBody runs={withOffspring} />
        ) : (
          <p className="muted">
            Once a run has finished generation 2, this shows how each offspring was made: its parents’ kernels, what α
            and β did to their filters’ chances, and which parent each of its surviving kernels came from.
          </p>
        )}
      </div>
    </section>
  );
}

function MatingBody({ runs }: { runs: RunInfo[] }) {
  const [runId, setRunId] = useState<string | null>(null);
  const [generationChoice, setGeneration] = useState<number | null>(null);
  const [individualChoice, setIndividual] = useState<number | null>(null);
  const [layerChoice, setLayer] = useState<string>('conv2');
  // The sexual run by default: that is where mating happens.
  const run = runs.find((r) => r.id === runId) ?? runs.find((r) => r.mode === 'sexual') ?? runs[0];
  const generations = [...new Set(run.records.map((r) => r.generation))].filter((g) => g >= 2).sort((a, b) => a - b);
  const generation =
    generationChoice !== null && generations.includes(generationChoice) ? generationChoice : generations.at(-1)!;
  const inGeneration = run.records.filter((r) => r.generation === generation);
  const best = bestPerGeneration(inGeneration)[0];
  const individual =
    individualChoice !== null && inGeneration.some((r) => r.individual === individualChoice)
      ? individualChoice
      : best.individual;
  const picture = useMemo(
    () => matingPicture(run.records, generation, individual, run.config.mating.cluster),
    [run.records, generation, individual, run.config.mating.cluster],
  );
  const layer = picture?.layers.find((l) => l.layer === layerChoice) ?? picture?.layers[0];
  return (
    <div className="mating-body" data-testid="mating-view" data-run={run.label} data-generation={generation}>
      <div className="mating-controls">
        <label>
          Run{' '}
          <select
            value={run.id}
            data-testid="mating-run"
            onChange={(e) => {
              setRunId(e.target.value);
              setIndividual(null);
            }}
          >
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Generation{' '}
          <select
            value={generation}
            data-testid="mating-generation"
            onChange={(e) => {
              setGeneration(Number(e.target.value));
              setIndividual(null);
            }}
          >
            {generations.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        {inGeneration.length > 1 ? (
          <label>
            Child{' '}
            <select
              value={individual}
              data-testid="mating-individual"
              onChange={(e) => setIndividual(Number(e.target.value))}
            >
              {inGeneration.map((r) => (
                <option key={r.individual} value={r.individual}>
                  network {r.individual + 1}
                  {r === best ? ' (most accurate)' : ''}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Layer{' '}
          <select value={layer?.layer ?? ''} data-testid="mating-layer" onChange={(e) => setLayer(e.target.value)}>
            {(picture?.layers ?? []).map((l) => (
              <option key={l.layer} value={l.layer}>
                {l.layer} ({l.filters} filters × {l.inChannels} kernels)
              </option>
            ))}
          </select>
        </label>
      </div>
      {picture && layer ? (
        <MatingPictureView picture={picture} layer={layer} run={run} />
      ) : (
        <p className="muted">The records of this network’s parents are not here.</p>
      )}
    </div>
  );
}

function parentage(picture: MatingPicture, run: RunInfo): string {
  const g = picture.generation;
  const child = `Network ${picture.individual + 1} of generation ${g}`;
  const names = picture.parents.map((p) => (g - 1 === 1 ? 'the ancestor' : `network ${p + 1} of generation ${g - 1}`));
  const w = picture.clusterWeights;
  if (picture.parents.length === 1) return `${child} of ${run.label} was made from ${names[0]}, its only parent.`;
  if (picture.sameNetwork)
    return `${child} of ${run.label} has the same network as both parents: ${names[0]} mated with itself${
      g === 2
        ? ' (there is only one ancestor, so generation 2 is made this way; real mating starts at generation 3)'
        : ''
    }. That is asexual synthesis: every kernel the child keeps is in “both” parents.`;
  return `${child} of ${run.label} was made by mating ${names[0]} (parent A) with ${names[1]} (parent B), weighted α = ${fmt(w[0], 3)} and β = ${fmt(w[1], 3)}.`;
}

const MatingPictureView = memo(function MatingPictureView({
  picture,
  layer,
  run,
}: {
  picture: MatingPicture;
  layer: MatingLayer;
  run: RunInfo;
}) {
  const normaliser = run.config.synthesis.clusterNormaliser;
  const two = picture.parents.length === 2;
  const [whatIf, setWhatIf] = useState<{ alpha: number; beta: number } | null>(null);
  const weights = useMemo(
    () => (whatIf ? [whatIf.alpha, whatIf.beta] : picture.clusterWeights),
    [whatIf, picture.clusterWeights],
  );
  const mated = useMemo(
    () => (two ? matedProbabilities(layer, weights, normaliser) : matedProbabilities(layer, [1], normaliser)),
    [layer, weights, normaliser, two],
  );
  const own = useMemo(() => ownProbabilities(layer, normaliser), [layer, normaliser]);
  const total = totalCounts(picture);
  const c = layer.counts;
  const strengthMax = Math.max(1e-9, ...layer.parents.flatMap((p) => p.strength ?? [0]));
  const s = picture.record.synthesis;
  const parentName = (i: number) => (two ? (i === 0 ? 'Parent A' : 'Parent B') : 'Parent');
  const lean = two && mated && own[0] && own[1] ? { a: meanGap(mated, own[0]), b: meanGap(mated, own[1]) } : null;
  return (
    <>
      <p data-testid="mating-parentage">{parentage(picture, run)}</p>
      <div className="mating-grid">
        {layer.parents.map((p, i) => (
          <figure key={i} className="mating-panel">
            <figcaption>
              <strong>{parentName(i)}</strong> · network {p.individual + 1} of generation {picture.generation - 1}
            </figcaption>
            <MaskCanvas
              states={p.alive}
              filters={layer.filters}
              inChannels={layer.inChannels}
              palette={PARENT_PALETTE}
              testId={`mating-parent-${i}`}
              data={{ alive: p.alive.reduce((a, b) => a + b, 0) }}
              label={`${parentName(i)}'s ${layer.layer} kernels: ${p.alive.reduce((a, b) => a + b, 0)} of ${p.alive.length} alive`}
            />
            <div className="mating-caption">
              Filter strengths S(c) <MetricExplain metric="clusterStrength" />
            </div>
            {p.strength ? (
              <FilterBars
                values={p.strength.map((x) => x / strengthMax)}
                colour={i === 0 ? ORIGIN_COLOURS.onlyA : ORIGIN_COLOURS.onlyB}
                label={`${parentName(i)}'s filter strengths in ${layer.layer}`}
              />
            ) : (
              <p className="muted">Not recorded (a run from before strengths were kept).</p>
            )}
          </figure>
        ))}
        <figure className="mating-panel" data-testid="mating-probabilities">
          <figcaption>
            <strong>Mated cluster probabilities P_c</strong> <MetricExplain metric="clusterProbability" />
          </figcaption>
          {mated ? (
            <>
              <FilterBars
                values={mated}
                colour="#1b7f3b"
                height={60}
                testId="mating-mated-bars"
                label={`Chance of each ${layer.layer} filter surviving into the child${two ? ` with α ${fmt(weights[0])} and β ${fmt(weights[1])}` : ''}`}
              />
              {two
                ? own.map((o, i) =>
                    o ? (
                      <div key={i}>
                        <div className="mating-caption">{i === 0 ? 'Parent A' : 'Parent B'} alone</div>
                        <FilterBars
                          values={o}
                          colour={i === 0 ? ORIGIN_COLOURS.onlyA : ORIGIN_COLOURS.onlyB}
                          height={28}
                          label={`Chances with ${i === 0 ? 'parent A' : 'parent B'} alone`}
                        />
                      </div>
                    ) : null,
                  )
                : null}
              {lean ? (
                <p data-testid="mating-lean" data-gap-a={lean.a} data-gap-b={lean.b}>
                  The blend is{' '}
                  {lean.a < lean.b
                    ? 'closer to parent A'
                    : lean.b < lean.a
                      ? 'closer to parent B'
                      : 'as close to both parents'}
                  : its probabilities differ from A’s own by {fmt(lean.a, 3)} and from B’s by {fmt(lean.b, 3)} on
                  average.
                </p>
              ) : null}
            </>
          ) : (
            <p className="muted">The parents’ filter strengths are not recorded, so the blend cannot be drawn.</p>
          )}
          {two ? (
            <fieldset className="what-if">
              <legend>What if α and β were…</legend>
              {(['alpha', 'beta'] as const).map((k, i) => (
                <label key={k}>
                  {k === 'alpha' ? 'α' : 'β'}{' '}
                  <input
                    type="range"
                    min={0}
                    max={1}
                    step={0.05}
                    value={weights[i]}
                    data-testid={`mating-${k}`}
                    onChange={(e) =>
                      setWhatIf({
                        alpha: k === 'alpha' ? Number(e.target.value) : weights[0],
                        beta: k === 'beta' ? Number(e.target.value) : weights[1],
                      })
                    }
                  />
                  <output>{fmt(weights[i])}</output>
                </label>
              ))}
              <button type="button" className="small" disabled={!whatIf} onClick={() => setWhatIf(null)}>
                Back to the run’s α and β
              </button>
              <p className="hint">Redraws the probabilities only; the run and this child stay as they are.</p>
            </fieldset>
          ) : null}
        </figure>
        <figure className="mating-panel">
          <figcaption>
            <strong>Child</strong> · network {picture.individual + 1} of generation {picture.generation}
          </figcaption>
          <MaskCanvas
            states={layer.child.origin}
            filters={layer.filters}
            inChannels={layer.inChannels}
            palette={CHILD_PALETTE}
            testId="mating-child"
            data={{ both: c.both, 'only-a': c.onlyA, 'only-b': c.onlyB, kernels: c.child }}
            label={`The child's ${layer.layer} kernels by origin: ${c.both} alive in ${two ? 'both parents' : 'the parent'}${two ? `, ${c.onlyA} only in A, ${c.onlyB} only in B` : ''}; ${c.child} in all`}
          />
          <ul className="legend" aria-label="Colours of the child's kernels">
            <li>
              <span className="swatch" style={{ background: ORIGIN_COLOURS.both }} aria-hidden="true" />{' '}
              {two ? 'alive in both parents' : 'from the parent'}
            </li>
            {two ? (
              <>
                <li>
                  <span className="swatch" style={{ background: ORIGIN_COLOURS.onlyA }} aria-hidden="true" /> only in A
                </li>
                <li>
                  <span className="swatch" style={{ background: ORIGIN_COLOURS.onlyB }} aria-hidden="true" /> only in B
                </li>
              </>
            ) : null}
            <li>
              <span className="swatch outlined" style={{ background: ORIGIN_COLOURS.dead }} aria-hidden="true" /> dead
            </li>
          </ul>
        </figure>
      </div>
      <p
        data-testid="mating-counts"
        data-both={total.both}
        data-only-a={total.onlyA}
        data-only-b={total.onlyB}
        data-kernels={total.child}
        data-parents-differ={picture.layers.reduce((n, l) => n + l.parentsDiffer, 0)}
      >
        In all four layers, the child has <strong>{total.child.toLocaleString('en')} live kernels</strong>:{' '}
        {two
          ? `${total.both.toLocaleString('en')} alive in both parents, ${total.onlyA.toLocaleString('en')} only in parent A and ${total.onlyB.toLocaleString('en')} only in parent B.`
          : `all from its parent (${total.both.toLocaleString('en')}).`}{' '}
        In {layer.layer}: {c.child} ({c.both} + {c.onlyA} + {c.onlyB}).
      </p>
      {s ? (
        <dl className="mating-stats" data-testid="mating-stats">
          <Stat metric="retention" label="Kept of N_ref" value={pctText(s.retention)} raw={s.retention} />
          <Stat metric="k" label="Environmental factor k" value={fmt(s.k, 3)} raw={s.k} />
          <Stat
            metric="meanProbability"
            label="Mean survival probability"
            value={fmt(s.meanProbability, 3)}
            raw={s.meanProbability}
          />
          <Stat
            metric="aliveInAllParents"
            label={two ? 'Kept synapses alive in both parents' : 'Kept synapses alive in the parent'}
            value={pctText(s.aliveInAllParents)}
            raw={s.aliveInAllParents}
          />
          <Stat
            metric="parentUnion"
            label="Parents’ union"
            value={s.parentUnion.toLocaleString('en')}
            raw={s.parentUnion}
          />
          <Stat
            metric="parentIntersection"
            label="Parents’ overlap"
            value={s.parentIntersection.toLocaleString('en')}
            raw={s.parentIntersection}
          />
          <Stat metric="synapses" label="Child synapses" value={s.synapses.toLocaleString('en')} raw={s.synapses} />
        </dl>
      ) : null}
    </>
  );
});

function Stat({
  metric,
  label,
  value,
  raw,
}: {
  metric: Parameters<typeof MetricExplain>[0]['metric'];
  label: string;
  value: string;
  raw: number;
}) {
  return (
    <div data-stat={metric} data-value={raw}>
      <dt>
        {label} <MetricExplain metric={metric} label={label} />
      </dt>
      <dd>{value}</dd>
    </div>
  );
}
