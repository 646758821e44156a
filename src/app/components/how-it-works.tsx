/**
 * "How it works": the paper's method in short sections, in the spirit of the article under
 * TensorFlow Playground, with the lab's own numbers where a run has them (the ancestor's size and
 * accuracy, the newest offspring's budget and efficiencies), the citation, a link to our
 * reproduction report, and a table of what every number means (metrics-table.ts).
 */
import { useMemo, useState } from 'react';
import { ancestorArchitecture } from '../../experiment/architecture';
import { datasetTitle } from '../../experiment/datasets';
import { hexToFlags } from '../../experiment/kernel-masks';
import { METRIC_ROWS } from '../../experiment/metrics-table';
import { PAPER_POINTS } from '../../experiment/paper';
import { experimentsFor, pickExperiment } from '../reproduced';
import { bestPerGeneration } from '../series';
import { reproducedSummary } from '../verdict';
import { useLab } from '../store';
import { MaskCanvas } from './mask-canvas';
import { ORIGIN_COLOURS } from './mating-view';
import { useRunFacts } from './run-facts';

export const PAPER_URL = 'https://arxiv.org/abs/1709.02043';
export const REPORT_URL = 'report.html';

const n = (x: number) => x.toLocaleString('en');

/** exp(x − 1) capped at 1, the shape of both survival probabilities, as a small SVG plot. */
function ProbabilityCurve() {
  const w = 220;
  const h = 110;
  const pts = Array.from({ length: 41 }, (_, i) => {
    const x = (i / 40) * 2;
    return [20 + (x / 2) * (w - 30), h - 20 - Math.min(1, Math.exp(x - 1)) * (h - 30)];
  });
  return (
    <svg
      width={w}
      height={h}
      role="img"
      aria-label="Survival probability exp(strength ÷ typical strength − 1), capped at 1: 0.37 at the typical strength, 1 from there on up"
      className="curve"
    >
      <line x1={20} y1={h - 20} x2={w - 10} y2={h - 20} stroke="#666" />
      <line x1={20} y1={h - 20} x2={20} y2={8} stroke="#666" />
      <polyline points={pts.map((p) => p.join(',')).join(' ')} fill="none" stroke="#1b7f3b" strokeWidth={2.5} />
      <text x={20} y={h - 5} fontSize={11} fill="#222">
        0
      </text>
      <text x={20 + (w - 30) / 2 - 4} y={h - 5} fontSize={11} fill="#222">
        typical
      </text>
      <text x={w - 40} y={h - 5} fontSize={11} fill="#222">
        2× typ.
      </text>
      <text x={24} y={16} fontSize={11} fill="#222">
        P = 1
      </text>
    </svg>
  );
}

export function HowItWorks() {
  const [open, setOpen] = useState(false);
  const dataset = useLab((s) => s.setup.dataset);
  const rho = useLab((s) => s.setup.rho);
  const epochs = useLab((s) => s.setup.epochsPerGeneration);
  const shippedMeta = useLab((s) => s.shippedMeta);
  const runs = useRunFacts();
  const arch = useMemo(() => ancestorArchitecture(dataset), [dataset]);
  const name = datasetTitle(dataset);
  // The lab's own numbers: the ancestor, and the newest offspring of each run.
  const ancestor = runs.flatMap((r) => r.records).find((x) => x.generation === 1) ?? null;
  const newest = runs
    .map((r) => ({ run: r, rec: bestPerGeneration(r.records).at(-1) }))
    .filter((x) => x.rec && x.rec.generation > 1);
  const sexual = newest.find((x) => x.run.mode === 'sexual') ?? newest[0];
  // A live picture for the kernels: conv2 of the newest network of the first run with offspring.
  const liveRecord = newest[0]?.rec ?? null;
  const liveLabel = newest[0]?.run.label ?? '';
  const live = useMemo(() => {
    const mask = liveRecord?.kernelMasks.find((m) => m.layer === 'conv2');
    if (!liveRecord || !mask) return null;
    return {
      label: liveLabel,
      generation: liveRecord.generation,
      mask,
      flags: hexToFlags(mask.aliveHex, mask.filters * mask.inChannels),
    };
  }, [liveRecord, liveLabel]);
  const paper = PAPER_POINTS[dataset];
  const paperSexual = paper.find((p) => p.mode === 'sexual');
  const paperAsexual = paper.find((p) => p.mode === 'asexual');
  const curves = useLab((s) => s.reproduced);
  const repro = useMemo(() => {
    const e = pickExperiment(experimentsFor(curves, dataset), null);
    const summary = e ? reproducedSummary(e) : null;
    return e && summary ? { lead: summary.lead, seeds: e.description || e.name } : null;
  }, [curves, dataset]);
  return (
    <section className="teach-section how-it-works" aria-labelledby="how-title" data-testid="how-it-works">
      <h2 id="how-title">How it works</h2>
      <p className="lead">
        Can neural networks get smaller by evolving? EvoLab re-runs the experiment of{' '}
        <cite>The Mating Rituals of Deep Neural Networks</cite> by Chung, Shafiee, Fieguth and Wong (2017,{' '}
        <a href={PAPER_URL} target="_blank" rel="noreferrer" data-testid="paper-link">
          arXiv:1709.02043
        </a>
        ): a trained network has offspring that keep only some of its connections, they are retrained, and they have
        offspring in turn. Made from one parent (asexual, red) or by mating two (sexual, blue), which line shrinks
        faster without forgetting what it learnt? The paper says sexual; our{' '}
        <a href={REPORT_URL} target="_blank" rel="noreferrer" data-testid="report-link">
          reproduction report
        </a>{' '}
        says what we found.
      </p>
      <button
        type="button"
        className="small"
        aria-expanded={open}
        aria-controls="how-body"
        data-testid="how-toggle"
        onClick={() => setOpen(!open)}
      >
        {open ? 'Hide the explanation' : 'Read how it works (five minutes)'}
      </button>
      <div id="how-body" hidden={!open} className="how-body">
        <h3>1. The ancestor</h3>
        <p>
          Generation 1 is a small convolutional network (Caffe’s <code>cifar10_quick</code>, which the paper calls
          LeNet), trained on {name} until it is good at it
          {ancestor
            ? `: this lab’s ancestor recognises ${(100 * ancestor.testAccuracy).toFixed(1)} % of the test images`
            : shippedMeta && shippedMeta.dataset === dataset
              ? `: the ancestor shipped with the lab recognises ${(100 * shippedMeta.testAccuracy).toFixed(1)} % of the test images`
              : ''}
          . Each later generation is made from the one before.
        </p>
        <div className="teach-table-box">
          <table data-testid="architecture">
            <caption>The ancestor’s evolved layers ({name})</caption>
            <thead>
              <tr>
                <th scope="col">Layer</th>
                <th scope="col">Filters × kernels × kernel size</th>
                <th scope="col">Synapses</th>
                <th scope="col">Kernels</th>
                <th scope="col">Filters (clusters)</th>
              </tr>
            </thead>
            <tbody>
              {arch.layers.map((l) => (
                <tr key={l.name}>
                  <th scope="row">{l.name}</th>
                  <td>{l.shape}</td>
                  <td>{n(l.synapses)}</td>
                  <td>{n(l.kernels)}</td>
                  <td>{l.clusters}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">total</th>
                <td />
                <td>{n(arch.synapses)}</td>
                <td>{n(arch.kernels)}</td>
                <td>{arch.clusters}</td>
              </tr>
            </tbody>
          </table>
        </div>
        <p className="muted">The output layer (64 → 10) is never evolved and not counted, as in the paper.</p>

        <h3>2. Synapses, filters (clusters) and kernels</h3>
        <p>
          A <strong>synapse</strong> is one weight, one connection. A <strong>filter</strong> looks for one pattern: it
          holds one <strong>kernel</strong> (a 5×5 grid of synapses; 4×4 in fc1) per input channel. The paper calls a
          filter a <strong>cluster</strong>, because synthesis keeps or drops it as a whole before it looks at its
          synapses. The kernel masks below draw each layer as a grid: a column per filter, a row per kernel.
        </p>
        {live ? (
          <figure className="live-figure" data-testid="how-live-mask">
            <MaskCanvas
              states={live.flags}
              filters={live.mask.filters}
              inChannels={live.mask.inChannels}
              palette={[ORIGIN_COLOURS.dead, ORIGIN_COLOURS.both]}
              maxWidth={160}
              label={`conv2 of ${live.label}, generation ${live.generation}: ${live.mask.aliveKernels} of ${live.mask.filters * live.mask.inChannels} kernels alive`}
            />
            <figcaption className="muted">
              Live from this lab: conv2 of {live.label}’s newest network (generation {live.generation}),{' '}
              {n(live.mask.aliveKernels)} of {n(live.mask.filters * live.mask.inChannels)} kernels alive (dark) in{' '}
              {live.mask.aliveFilters} of {live.mask.filters} filters.
            </figcaption>
          </figure>
        ) : null}

        <h3>3. Strong synapses are likely to survive</h3>
        <div className="with-figure">
          <ProbabilityCurve />
          <p>
            A synapse’s <strong>strength</strong> is the size of its weight |w|; a filter’s strength S(c) is the sum of
            its strong weights. Each survives into the offspring with probability{' '}
            <span className="formula">P = min(1, exp(strength ÷ typical strength − 1))</span>, where the typical
            strength is the layer’s mean. A synapse as strong as the mean has a 37 % chance, a stronger one up to 100 %;
            a synapse that is dead never comes back.
          </p>
        </div>

        <h3>4. The environment: a synapse budget ρ</h3>
        <p>
          The environment lets an offspring keep at most a share ρ of its parents’ synapses (now ρ = {rho}, i.e.{' '}
          {Math.round(rho * 100)} %). When the weights alone would keep more, every synapse’s chance is scaled down by a
          factor k.
          {sexual?.rec?.synthesis
            ? ` In this lab, the newest offspring of ${sexual.run.label} (generation ${sexual.rec.generation}) kept ${(100 * sexual.rec.synthesis.retention).toFixed(1)} % of its parents’ synapses, with k = ${sexual.rec.synthesis.k.toFixed(3)}.`
            : ''}
        </p>

        <h3>5. Asexual synthesis: one parent</h3>
        <p>
          Each filter of the parent is kept or dropped at random with its probability P_c; inside the kept filters, each
          synapse with its P_s. The offspring starts from its parent’s surviving weights. An asexual run is one line of
          descent: one network a generation.
        </p>

        <h3>6. Sexual synthesis: mating two parents with α and β</h3>
        <p>
          Two networks of the previous generation are blended before sampling: a filter’s strength becomes{' '}
          <span className="formula">α·S_A(c) + β·S_B(c)</span> (the cluster level) and a synapse’s{' '}
          <span className="formula">α·|w_A| + β·|w_B|</span> (the synapse level). α and β need not add up to 1: only
          their ratio matters with the default normalisers. A synapse alive in only one parent gets a weaker blend and
          survives less often. A sexual run has two networks a generation, both parents of both offspring; generation 2
          mates the ancestor with itself, so real mating starts at generation 3. The mating view below shows it, kernel
          by kernel.
          {sexual?.rec?.synthesis && sexual.run.mode === 'sexual' && sexual.rec.generation >= 3
            ? ` In this lab, ${(100 * sexual.rec.synthesis.aliveInAllParents).toFixed(0)} % of the synapses that ${sexual.run.label}’s newest offspring kept were alive in both its parents.`
            : ''}
        </p>

        <h3>7. Retraining</h3>
        <p>
          Each offspring trains for {epochs} epoch{epochs === 1 ? '' : 's'} with its mask fixed (dead synapses stay at
          0), and is then tested on images it never saw. A sexual run trains two networks a generation, so it reaches
          each generation later: the charts can compare runs by the images trained instead.
        </p>

        <h3>8. The two efficiencies</h3>
        <p>
          <span className="formula">synaptic efficiency = synapses of the ancestor ÷ synapses of the offspring</span>;{' '}
          <span className="formula">cluster efficiency = kernels of the ancestor ÷ kernels of the offspring</span>.
          {newest.length
            ? ` Here: ${newest
                .map(
                  ({ run, rec }) =>
                    `${run.label} at generation ${rec!.generation}: ${n(arch.synapses)} ÷ ${n(rec!.synapses)} = ${rec!.synapticEfficiency.toFixed(1)}× and ${n(arch.kernels)} ÷ ${n(rec!.kernels)} = ${rec!.clusterEfficiency.toFixed(1)}×`,
                )
                .join('; ')}.`
            : ''}
        </p>

        <h3>9. What the paper found, and what we found</h3>
        <p>
          {paperSexual && paperAsexual
            ? `On ${name} the paper reports ${paperSexual.synapticEfficiency}× synaptic efficiency for sexual synthesis at generation ${paperSexual.generation} against ${paperAsexual.synapticEfficiency}× for asexual at generation ${paperAsexual.generation}, with a few points of accuracy lost. `
            : ''}
          {repro
            ? `Our reproduction (${repro.seeds}) found sexual synthesis ${repro.lead === 'other' ? 'more' : 'not more'} compact at the first 3-point drop in accuracy. `
            : ''}
          The <a href="#verdict-title">verdict</a> below compares your runs with both, and the{' '}
          <a href={REPORT_URL} target="_blank" rel="noreferrer">
            report
          </a>{' '}
          has the details.
        </p>

        <h3>Every number, explained</h3>
        <div className="teach-table-box">
          <table data-testid="metrics-table">
            <caption>What the lab reports</caption>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">How it is computed</th>
                <th scope="col">What it says</th>
              </tr>
            </thead>
            <tbody>
              {METRIC_ROWS.map((m) => (
                <tr key={m.id} id={`metric-${m.id}`}>
                  <th scope="row">{m.label}</th>
                  <td className="formula">{m.formula}</td>
                  <td>{m.help}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="citation">
          Audrey G. Chung, Mohammad Javad Shafiee, Paul Fieguth, Alexander Wong (2017).{' '}
          <cite>
            The Mating Rituals of Deep Neural Networks: Learning Compact Feature Representations through Sexual
            Evolutionary Synthesis
          </cite>
          .{' '}
          <a href={PAPER_URL} target="_blank" rel="noreferrer">
            arXiv:1709.02043
          </a>
          . Every setting of the lab has its own “?” with a plain explanation.
        </p>
      </div>
    </section>
  );
}
