/**
 * The verdict card: which run is more compact at the first ≥ 3-point accuracy drop and at equal
 * generations, against the paper's claim and our reproduction over seeds, in plain words
 * computed from the runs on the page (verdict.ts). Shown when the runs finish; on demand before.
 */
import { useMemo, useState } from 'react';
import { experimentsFor, pickExperiment } from '../reproduced';
import { useLab } from '../store';
import { computeVerdict, DROP_POINTS, type PointSummary, type RunVerdict } from '../verdict';
import { MetricExplain } from './explain';
import { useRunFacts } from './run-facts';

/** Where our report explains why sexual synthesis did not compact faster here. */
export const REPORT_WHY = 'report.html#what-the-numbers-say';

const times = (x: number) => `${x.toFixed(2)}×`;
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

export function Verdict() {
  const [asked, setAsked] = useState(false);
  const runs = useRunFacts();
  const dataset = useLab((s) => s.setup.dataset);
  const curves = useLab((s) => s.reproduced);
  const reproduced = useMemo(() => pickExperiment(experimentsFor(curves, dataset), null), [curves, dataset]);
  const withResults = runs.filter((r) => r.records.some((x) => x.generation >= 2));
  const going = runs.some((r) => r.active);
  const shown = withResults.length >= 2 && (!going || asked);
  const verdict = useMemo(
    () => (shown ? computeVerdict(runs, dataset, reproduced) : null),
    [shown, runs, dataset, reproduced],
  );
  return (
    <section className="teach-section verdict" aria-labelledby="verdict-title" data-testid="verdict-section">
      <div className="section-head">
        <h2 id="verdict-title">Verdict</h2>
        {going && withResults.length >= 2 ? (
          <button
            type="button"
            className="small"
            aria-expanded={asked}
            aria-controls="verdict-body"
            data-testid="verdict-toggle"
            onClick={() => setAsked(!asked)}
          >
            {asked ? 'Hide the verdict so far' : 'Show the verdict so far'}
          </button>
        ) : null}
      </div>
      <div id="verdict-body" aria-live="polite">
        {!verdict ? (
          <p className="muted">
            {withResults.length >= 2
              ? 'The runs are still going: the verdict appears when they finish, or now with “Show the verdict so far”.'
              : 'When two runs have offspring, this card says which one compacted faster here, and how that compares with the paper and with our own reproduction.'}
          </p>
        ) : (
          <div className="card verdict-card" data-testid="verdict" data-partial={verdict.partial}>
            <p className="verdict-headline" data-testid="verdict-headline">
              {verdict.partial ? 'So far: ' : ''}
              {verdict.headline}
            </p>
            {verdict.pairs.map((p) => (
              <div key={p.other.id} className="verdict-pair">
                <p>{p.atDrop.text}</p>
                <p>{p.atEqual.text}</p>
              </div>
            ))}
            {verdict.paper ? <p data-testid="verdict-paper">{verdict.paper}</p> : null}
            {verdict.reproduced ? <p data-testid="verdict-reproduced">{verdict.reproduced.text}</p> : null}
            <p data-testid="verdict-meaning">
              <strong>What this means.</strong> {verdict.meaning}{' '}
              <a href={REPORT_WHY} target="_blank" rel="noreferrer">
                See why, in our reproduction report
              </a>
              .
            </p>
            <VerdictTable runs={verdict.runs} equal={verdict.equalGeneration} />
            <p className="muted small-print">
              Numbers are each generation’s mean over its networks, as in our report (the charts follow each
              generation’s most accurate network). A drop counts from {DROP_POINTS} points below the ancestor’s
              accuracy.
            </p>
          </div>
        )}
      </div>
    </section>
  );
}

function Cells({ run, at, field }: { run: RunVerdict; at: PointSummary | null; field: string }) {
  const cell = (name: string, value: number | undefined, text: string) => (
    <td data-run={run.label} data-field={`${field}-${name}`} data-value={value ?? ''}>
      {text}
    </td>
  );
  return (
    <>
      {cell('generation', at?.generation, at ? String(at.generation) : 'not yet')}
      {cell('accuracy', at?.accuracy, at ? pct(at.accuracy) : '—')}
      {cell('synaptic', at?.synapticEfficiency, at ? times(at.synapticEfficiency) : '—')}
      {cell('cluster', at?.clusterEfficiency, at ? times(at.clusterEfficiency) : '—')}
    </>
  );
}

function VerdictTable({ runs, equal }: { runs: RunVerdict[]; equal: number | null }) {
  return (
    <div className="teach-table-box" tabIndex={0} role="region" aria-label="The verdict's numbers">
      <table data-testid="verdict-table">
        <caption>
          Each run at its first {DROP_POINTS}-point drop, and at generation {equal ?? '—'} (the newest all runs have
          finished)
        </caption>
        <thead>
          <tr>
            <th scope="col" rowSpan={2}>
              Run
            </th>
            <th scope="colgroup" colSpan={4}>
              First ≥ {DROP_POINTS}-point drop
            </th>
            <th scope="colgroup" colSpan={4}>
              Equal generation
            </th>
            <th scope="col" rowSpan={2}>
              Kept per generation <MetricExplain metric="retention" />
            </th>
          </tr>
          <tr>
            {[0, 1].map((i) => (
              <Head key={i} />
            ))}
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <th scope="row">{r.label}</th>
              <Cells run={r} at={r.drop} field="drop" />
              <Cells run={r} at={r.atEqual} field="equal" />
              <td data-run={r.label} data-field="retention" data-value={r.retention ?? ''}>
                {r.retention === null ? '—' : r.retention.toFixed(3)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Head() {
  return (
    <>
      <th scope="col">Generation</th>
      <th scope="col">Accuracy</th>
      <th scope="col">Synaptic eff.</th>
      <th scope="col">Cluster eff.</th>
    </>
  );
}
