/**
 * Live charts (recharts): accuracy, synaptic and cluster efficiency per generation (efficiencies
 * on a log axis), and the training loss of the networks in training now. Each chart has a table
 * view with the same numbers, and a PNG export. Dashed vertical lines mark where a run's
 * environment (settings) changed. The paper's reported points and our own reproduction runs
 * (seed means from /reproduced.json, faint dashed lines) can be overlaid.
 */
import {
  lazy,
  memo,
  Suspense,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { useAfter, useStaggered } from './hooks';
import { useShallow } from 'zustand/react/shallow';
import type { DatasetName } from '../../experiment/config';
import { datasetTitle } from '../../experiment/datasets';
import type { ConfigChange, NetworkRecord } from '../../experiment/records';
import type { LossPoint } from '../../worker/protocol';
import { downloadChartPng } from '../export';
import { PAPER_POINTS } from '../../experiment/paper';
import {
  experimentsFor,
  formatStat,
  pickExperiment,
  reproducedSeries,
  seedCount,
  type ReproducedExperiment,
} from '../reproduced';
import {
  accuracyDomain,
  accuracyTicks,
  downsample,
  formatMetric,
  logDomain,
  logTicks,
  METRICS,
  series,
  type Metric,
} from '../series';
import { ASEXUAL_RED, runColours, runLabel, SEXUAL_BLUE } from '../setup';
import { useLab, type ViewState } from '../store';
import { notify } from '../lab';
import type { MetricId } from '../../experiment/metrics-table';
import { computeByGeneration, xOf, X_AXES, type XAxisKind } from '../compute-axis';
import { experimentTitle } from '../plain-words';
import { MetricExplain } from './explain';

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above x: a round end for a compute axis. */
function niceCeiling(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  return ([1, 2, 2.5, 5, 10].find((m) => m * p >= x) ?? 10) * p;
}

/** When the charts are first drawn, after the page appears (ms). */
const FIRST_DRAWING_MS = 600;

// recharts is most of the page's code: it loads after the first paint, in a chunk of its own.
const plots = () => import('./chart-plots');
// Fetched while the page first renders, not when the first chart asks for it.
void plots();
const MetricPlot = lazy(() => plots().then((m) => ({ default: m.MetricPlot })));
const LossPlot = lazy(() => plots().then((m) => ({ default: m.LossPlot })));

interface RunLine {
  label: string;
  colour: string;
  records: NetworkRecord[];
  changes: ConfigChange[];
}

/** The runs to draw, as stable references so that charts re-render only when their data change. */
function useRunLines(): RunLine[] {
  const records = useLab(useShallow((s) => s.runs.map((r) => r.records)));
  const changes = useLab(useShallow((s) => s.runs.map((r) => r.configChanges)));
  const labels = useLab(useShallow((s) => (s.runs.length ? s.runs.map((r) => r.label) : s.setup.runs.map(runLabel))));
  const colours = useLab(useShallow((s) => (s.runs.length ? s.runs.map((r) => r.colour) : runColours(s.setup.runs))));
  return useMemo(
    () =>
      labels.map((label, i) => ({ label, colour: colours[i], records: records[i] ?? [], changes: changes[i] ?? [] })),
    [records, changes, labels, colours],
  );
}

export function Charts() {
  const lines = useRunLines();
  const dataset = useLab((s) => s.setup.dataset);
  const generations = useLab((s) => s.setup.generations);
  const paper = useLab((s) => s.view.paper);
  const curves = useLab((s) => s.reproduced);
  const settled = useLab((s) => s.reproducedSettled);
  const showReproduced = useLab((s) => s.view.reproduced);
  const chosen = useLab((s) => s.view.reproducedExperiment);
  const experiments = useMemo(() => experimentsFor(curves, dataset), [curves, dataset]);
  const experiment = useMemo(() => pickExperiment(experiments, chosen), [experiments, chosen]);
  const reproduced = showReproduced ? experiment : null;
  const xAxis = useLab((s) => s.view.xAxis);
  const present = useLab((s) => s.view.present);
  const setView = (change: Partial<ViewState>) => useLab.setState((s) => ({ view: { ...s.view, ...change } }));
  return (
    <section className="charts" aria-labelledby="charts-title">
      <div className="section-head">
        <h2 id="charts-title">Per generation</h2>
        <div className="overlays">
          <label className="check">
            <input
              type="checkbox"
              data-testid="paper-toggle"
              checked={paper}
              onChange={(e) => setView({ paper: e.target.checked })}
            />
            Show the paper’s reported points ({datasetTitle(dataset)})
          </label>
          {!experiment && !settled ? (
            // Holds the place of the reproduction's controls while /reproduced.json loads: the
            // charts below do not move when they appear.
            <span className="check overlay-placeholder" aria-hidden="true">
              <input type="checkbox" disabled tabIndex={-1} /> Show our reproduced runs (mean over 3 seeds) Reproduction
              mnist-10pct-defaults
            </span>
          ) : null}
          {experiment ? (
            <label className="check">
              <input
                type="checkbox"
                data-testid="reproduced-toggle"
                checked={showReproduced}
                onChange={(e) => setView({ reproduced: e.target.checked })}
              />
              Show our reproduced runs (mean over {seedCount(experiment)})
            </label>
          ) : null}
          {experiment && experiments.length > 1 ? (
            <label className="check">
              Reproduction
              <select
                data-testid="reproduced-experiment"
                value={experiment.name}
                aria-describedby="reproduced-description"
                onChange={(e) => setView({ reproducedExperiment: e.target.value })}
              >
                {experiments.map((x) => (
                  <option key={x.name} value={x.name}>
                    {experimentTitle(x).title}
                  </option>
                ))}
              </select>
              <span id="reproduced-description" className="muted" data-testid="reproduced-description">
                {experimentTitle(experiment).description}
              </span>
            </label>
          ) : null}
          <label className="check">
            X-axis
            <select
              data-testid="x-axis"
              value={xAxis}
              aria-describedby="x-axis-help"
              onChange={(e) => setView({ xAxis: e.target.value as XAxisKind })}
            >
              {X_AXES.map((a) => (
                <option key={a.kind} value={a.kind}>
                  {a.label}
                </option>
              ))}
            </select>
            <span id="x-axis-help" className="visually-hidden">
              Generation, or the training work each run has done since the ancestor: a sexual run trains two networks a
              generation, so at equal work it has fewer generations.
            </span>
          </label>
        </div>
      </div>
      <p className="muted small-print">
        Lines follow the most accurate network of each generation (the tables list every network). ★ = the paper’s
        reported points; dashed vertical lines = settings changed from that generation.
        {xAxis !== 'generation'
          ? ` The x-axis is the ${X_AXES.find((a) => a.kind === xAxis)!.title} (every network of the run counted): runs compared at equal work. The paper’s points and our reproduced runs are drawn on the generation axis only.`
          : ''}
        {reproduced && xAxis === 'generation'
          ? ` Faint dashed lines = our reproduced runs “${experimentTitle(reproduced).title}”${reproduced.description ? ` (${reproduced.description})` : ''}: each generation’s population mean, averaged over seeds.`
          : ''}
      </p>
      <div className="chart-grid">
        {METRICS.map((m, i) => (
          <StaggeredMetricChart
            key={m.key}
            delay={60 + 90 * i}
            metric={m.key}
            title={m.title}
            log={m.log}
            lines={lines}
            dataset={dataset}
            generations={generations}
            paper={paper && xAxis === 'generation'}
            reproduced={xAxis === 'generation' ? reproduced : null}
            xAxis={xAxis}
            present={present}
          />
        ))}
        <LossChart present={present} />
      </div>
    </section>
  );
}

interface LegendEntry {
  label: string;
  colour: string;
  /** Drawn as a dashed line (our reproduced runs) rather than a filled square. */
  dashed?: boolean;
}

/**
 * One chart: a single Tab stop (the chart, named by its title and its newest values); T or Enter
 * shows the table of the same numbers and focuses it (T or Esc goes back), P saves a PNG.
 */
function ChartCard(props: {
  id: string;
  title: string;
  /** The newest values in words: with the title, the chart's accessible name. */
  summary: string;
  legend: LegendEntry[];
  table: ReactNode;
  children: ReactNode;
}) {
  const showTable = useLab((s) => !!s.view.tables[props.id]);
  const ref = useRef<HTMLDivElement>(null);
  const tableRef = useRef<HTMLDivElement>(null);
  const focusAfterToggle = useRef(false);
  const hintId = useId();
  const toggle = (fromKeyboard: boolean) => {
    focusAfterToggle.current = fromKeyboard;
    useLab.setState((s) => ({ view: { ...s.view, tables: { ...s.view.tables, [props.id]: !showTable } } }));
  };
  useEffect(() => {
    if (!focusAfterToggle.current) return;
    focusAfterToggle.current = false;
    (showTable ? tableRef : ref).current?.focus();
  }, [showTable]);
  useUntabbablePortals(ref, showTable);
  const png = () =>
    downloadChartPng(ref.current!, props.title, props.legend, `evolab-${props.id}.png`).catch((e) =>
      notify('error', `PNG export: ${(e as Error).message}`),
    );
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.target !== e.currentTarget) return;
    const key = e.key.toLowerCase();
    if (key === 't' || (key === 'enter' && !showTable) || (key === 'escape' && showTable)) {
      e.preventDefault();
      toggle(true);
    } else if (key === 'p' && !showTable) {
      e.preventDefault();
      void png();
    }
  };
  return (
    <figure className="card chart-card" data-testid={`chart-${props.id}`}>
      <figcaption>
        <h3>
          {props.title} <MetricExplain metric={props.id as MetricId} label={props.title} />
        </h3>
        {/* Out of the Tab order: the chart itself takes T and P (its description says so). */}
        <div className="card-actions">
          <button
            type="button"
            className="small"
            tabIndex={-1}
            data-testid={`table-toggle-${props.id}`}
            aria-pressed={showTable}
            onClick={() => toggle(false)}
          >
            Table
          </button>
          <button type="button" className="small" tabIndex={-1} disabled={showTable} onClick={() => void png()}>
            PNG
          </button>
        </div>
      </figcaption>
      {showTable ? (
        <div
          ref={tableRef}
          className="table-box"
          data-testid={`table-box-${props.id}`}
          tabIndex={0}
          role="region"
          aria-label={`${props.title}, as a table`}
          aria-describedby={hintId}
          onKeyDown={onKeyDown}
        >
          {props.table}
        </div>
      ) : (
        <>
          <div
            ref={ref}
            className="chart-box"
            data-testid={`chart-box-${props.id}`}
            tabIndex={0}
            role="img"
            aria-label={`${props.title}. ${props.summary}`}
            aria-describedby={hintId}
            onKeyDown={onKeyDown}
          >
            {props.children}
          </div>
          <ul className="legend">
            {props.legend.map((l) => (
              <li key={l.label}>
                <span
                  className={l.dashed ? 'swatch dashed' : 'swatch'}
                  style={l.dashed ? { borderColor: l.colour } : { background: l.colour }}
                  aria-hidden="true"
                />
                {l.label}
              </li>
            ))}
          </ul>
        </>
      )}
      <p id={hintId} className="key-hint">
        {showTable ? 'T or Esc: back to the chart' : 'T: the numbers as a table · P: save as PNG'}
      </p>
    </figure>
  );
}

/**
 * recharts draws its layers into <g> elements through React portals, and React listens for focus
 * events on every portal container; Chromium makes an SVG element with focus listeners a Tab stop.
 * Taking them out of the Tab order keeps each chart one Tab stop.
 */
function useUntabbablePortals(ref: React.RefObject<HTMLDivElement | null>, showTable: boolean) {
  useEffect(() => {
    const box = ref.current;
    if (!box) return;
    const fix = () => {
      for (const g of box.querySelectorAll('svg g[class*="recharts-zIndex-layer"]:not([tabindex])'))
        g.setAttribute('tabindex', '-1');
    };
    fix();
    const observer = new MutationObserver(fix);
    observer.observe(box, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [ref, showTable]);
}

/**
 * Each chart redraws a little after the previous one, in its own short task: a generation's
 * end then never blocks the page for the sum of all redraws (no main-thread task over 50 ms).
 * Ticking the reproduced-runs overlay is staggered the same way.
 */
function StaggeredMetricChart(props: Omit<Parameters<typeof MetricChart>[0], 'drawn'> & { delay: number }) {
  const lines = useStaggered(props.lines, props.delay);
  const reproduced = useStaggered(props.reproduced, props.delay);
  // The first drawing waits until what the page fetches at start (the data check, the shipped
  // ancestor) has been shown, then goes one chart at a time: drawn at once, the four charts made
  // one long task at load and held back everything else.
  const drawn = useAfter(FIRST_DRAWING_MS + props.delay);
  return <MetricChart {...props} lines={lines} reproduced={reproduced} drawn={drawn} />;
}

const MetricChart = memo(function MetricChart(props: {
  metric: Metric;
  title: string;
  log: boolean;
  lines: RunLine[];
  dataset: DatasetName;
  generations: number;
  paper: boolean;
  /** Our reproduction experiment to overlay, or null. */
  reproduced: ReproducedExperiment | null;
  xAxis: XAxisKind;
  present: boolean;
  /** False until its turn to draw (the card, legend and table are there before). */
  drawn: boolean;
}) {
  const { metric, lines, log, xAxis } = props;
  const type = typeFor(props.present);
  const data = useMemo(
    () =>
      lines.map((l) => {
        const compute = xAxis === 'generation' ? null : computeByGeneration(l.records, xAxis);
        const x = (g: number) => xOf(xAxis, g, compute) ?? g;
        return {
          ...l,
          x,
          points: series(l.records, metric).map((p) => ({ ...p, x: x(p.generation) })),
        };
      }),
    [lines, metric, xAxis],
  );
  const ours = useMemo(
    () =>
      props.reproduced
        ? reproducedSeries(props.reproduced, metric).map((o) => ({
            ...o,
            points: o.points.map((p) => ({ ...p, x: p.generation })),
          }))
        : [],
    [props.reproduced, metric],
  );
  const paperPoints = props.paper ? PAPER_POINTS[props.dataset] : [];
  const byGeneration = xAxis === 'generation';
  const xMax = byGeneration
    ? Math.max(
        props.generations,
        ...data.flatMap((d) => d.points.map((p) => p.generation)),
        ...paperPoints.map((p) => p.generation),
        ...ours.flatMap((o) => o.points.map((p) => p.generation)),
        2,
      )
    : niceCeiling(Math.max(1, ...data.flatMap((d) => d.points.map((p) => p.x))));
  const xStep = Math.ceil(xMax / 14);
  const xTicks = byGeneration
    ? Array.from({ length: Math.floor((xMax - 1) / xStep) + 1 }, (_, i) => 1 + i * xStep)
    : Array.from({ length: 5 }, (_, i) => (xMax * i) / 4);
  const values = [
    ...data.flatMap((d) => d.points.map((p) => p.value)),
    ...paperPoints.map((p) => p[metric]),
    ...ours.flatMap((o) => o.points.map((p) => p.value)),
  ];
  const domain = log ? logDomain(values) : accuracyDomain(values);
  const yTicks = log ? logTicks(domain[0], domain[1]) : accuracyTicks(domain);
  const paperByMode = (['ancestor', 'asexual', 'sexual'] as const)
    .map((mode) => ({
      mode,
      colour: mode === 'asexual' ? ASEXUAL_RED : mode === 'sexual' ? SEXUAL_BLUE : '#444',
      points: paperPoints
        .filter((p) => p.mode === mode)
        .map((p) => ({ generation: p.generation, x: p.generation, value: p[metric] })),
    }))
    .filter((p) => p.points.length);
  const legend: LegendEntry[] = [
    ...data.map((d) => ({ label: d.label, colour: d.colour })),
    ...paperByMode.map((p) => ({ label: `★ paper, ${p.mode}`, colour: p.colour })),
    ...ours.map((o) => ({ label: o.label, colour: o.colour, dashed: true })),
  ];

  const table = (
    <>
      <table data-testid={`table-${metric}`}>
        <caption>{props.title} per generation (the most accurate network of each run’s generation)</caption>
        <thead>
          <tr>
            <th scope="col">Generation</th>
            {data.map((d) => (
              <th scope="col" key={d.label}>
                {d.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from(new Set(data.flatMap((d) => d.points.map((p) => p.generation))))
            .sort((a, b) => a - b)
            .map((g) => (
              <tr key={g}>
                <th scope="row">{g}</th>
                {data.map((d) => {
                  const p = d.points.find((x) => x.generation === g);
                  const all = d.records.filter((r) => r.generation === g);
                  return (
                    <td key={d.label} data-run={d.label} data-generation={g} data-value={p?.value}>
                      {p ? formatMetric(metric, p.value) : '—'}
                      {all.length > 1 ? (
                        <span className="muted">
                          {' '}
                          (net {p!.individual + 1}; others{' '}
                          {all
                            .filter((r) => r.individual !== p!.individual)
                            .map((r) => formatMetric(metric, r[metric]))
                            .join(', ')}
                          )
                        </span>
                      ) : null}
                    </td>
                  );
                })}
              </tr>
            ))}
        </tbody>
      </table>
      {paperPoints.length ? (
        <table>
          <caption>The paper’s reported points</caption>
          <thead>
            <tr>
              <th scope="col">Mode</th>
              <th scope="col">Generation</th>
              <th scope="col">{props.title}</th>
            </tr>
          </thead>
          <tbody>
            {paperPoints.map((p) => (
              <tr key={`${p.mode}${p.generation}`}>
                <td>{p.mode}</td>
                <td>{p.generation}</td>
                <td>{formatMetric(metric, p[metric])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {props.reproduced && ours.length ? (
        <table data-testid={`table-reproduced-${metric}`}>
          <caption>
            Our reproduced runs “{experimentTitle(props.reproduced).title}”
            {props.reproduced.description ? ` (${props.reproduced.description})` : ''}: each generation’s population
            mean, then mean ± std over seeds
          </caption>
          <thead>
            <tr>
              <th scope="col">Mode</th>
              <th scope="col">Generation</th>
              <th scope="col">Seeds</th>
              <th scope="col">{props.title} (mean ± std)</th>
            </tr>
          </thead>
          <tbody>
            {ours.flatMap((o) =>
              o.points.map((p) => (
                <tr
                  key={`${o.mode}-${p.generation}`}
                  data-mode={o.mode}
                  data-generation={p.generation}
                  data-value={p.value}
                >
                  <td>{o.mode}</td>
                  <td>{p.generation}</td>
                  <td>{p.n}</td>
                  <td>{formatStat(metric, p.value, p.std)}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      ) : null}
    </>
  );

  const summary = data
    .map((d) => {
      const last = d.points.at(-1);
      return last
        ? `${d.label}: ${formatMetric(metric, last.value)} at generation ${last.generation}`
        : `${d.label}: no generation yet`;
    })
    .join('; ');

  return (
    <ChartCard
      id={metric}
      title={props.title + (log ? ' (log scale)' : '')}
      summary={summary}
      legend={legend}
      table={table}
    >
      {props.drawn ? (
        <Suspense fallback={null}>
          <MetricPlot
            metric={metric}
            log={log}
            type={type}
            xMax={xMax}
            xTicks={xTicks}
            xAxis={xAxis}
            xTitle={X_AXES.find((a) => a.kind === xAxis)!.title}
            domain={domain}
            yTicks={yTicks}
            data={data}
            ours={ours}
            paperByMode={paperByMode}
          />
        </Suspense>
      ) : null}
    </ChartCard>
  );
});

const LOSS_POINTS_SHOWN = 120;

/** Axis type and margins: 15 px on a screen, 22 px in presenter mode (the chart box grows with it in CSS). */
function typeFor(present: boolean) {
  const size = present ? 22 : 15;
  return { size, yAxisWidth: present ? 96 : 62, margin: { top: 22, right: 20, bottom: size + 4, left: 4 } };
}

function LossChart({ present }: { present: boolean }) {
  // The loss changes with every progress message: redraw it at most twice a second.
  const losses = useStaggered(useLab(useShallow((s) => s.runs.map((r) => r.loss))), 0, 500);
  const labels = useLab(useShallow((s) => s.runs.map((r) => r.label)));
  const colours = useLab(useShallow((s) => s.runs.map((r) => r.colour)));
  const drawn = useAfter(FIRST_DRAWING_MS + 60 + 90 * METRICS.length);
  return <LossChartView losses={losses} labels={labels} colours={colours} present={present} drawn={drawn} />;
}

const LossChartView = memo(function LossChartView({
  losses,
  labels,
  colours,
  present,
  drawn,
}: {
  losses: { key: string; points: LossPoint[] }[];
  labels: string[];
  colours: string[];
  present: boolean;
  drawn: boolean;
}) {
  const type = typeFor(present);
  const lines = losses.map((l, i) => {
    const [gen, net] = l.key.split('/');
    return {
      label: labels[i],
      colour: colours[i],
      name: l.key ? `${labels[i]}: gen ${gen}, net ${Number(net) + 1}` : labels[i],
      points: downsample(l.points, LOSS_POINTS_SHOWN),
    };
  });
  const [showAll, setShowAll] = useState(false);
  const xMax = Math.max(1, ...lines.flatMap((l) => l.points.map((p) => Math.ceil(p.x))));
  // Fixed ticks (no automatic, measured ones): 0 to the next half unit above the largest loss.
  const lossMax = Math.max(0.5, Math.ceil(2 * Math.max(0, ...lines.flatMap((l) => l.points.map((p) => p.loss)))) / 2);
  const lossTicks = Array.from({ length: 5 }, (_, i) => Number(((lossMax * i) / 4).toFixed(3)));
  const table = (
    <>
      <table data-testid="table-loss">
        <caption>Training loss of the network in training now (position in epochs, loss)</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Epochs done</th>
            <th scope="col">Loss</th>
          </tr>
        </thead>
        <tbody>
          {lines.flatMap((l) =>
            (showAll ? l.points : l.points.slice(-10)).map((p, i) => (
              <tr key={`${l.label}-${i}`}>
                <td>{l.name}</td>
                <td>{p.x.toFixed(3)}</td>
                <td>{p.loss.toFixed(4)}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      <button type="button" className="small" onClick={() => setShowAll(!showAll)}>
        {showAll ? 'Show the last 10 per run' : 'Show every point'}
      </button>
    </>
  );
  return (
    <ChartCard
      id="loss"
      title="Training loss, current networks"
      summary={
        lines
          .filter((l) => l.points.length)
          .map((l) => `${l.name}: ${l.points.at(-1)!.loss.toFixed(3)} after ${l.points.at(-1)!.x.toFixed(2)} epochs`)
          .join('; ') || 'no network in training'
      }
      legend={lines.map((l) => ({ label: l.name, colour: l.colour }))}
      table={table}
    >
      {drawn ? (
        <Suspense fallback={null}>
          <LossPlot type={type} xMax={xMax} lossMax={lossMax} lossTicks={lossTicks} lines={lines} />
        </Suspense>
      ) : null}
    </ChartCard>
  );
});
