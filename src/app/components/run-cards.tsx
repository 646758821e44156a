/** One card per run: status, what takes time now (data, backend, generation, epoch, batch), time left, exports. */
import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatDuration, generationFraction } from '../eta';
import { downloadCsv, downloadJson } from '../export';
import { bestPerGeneration, formatMetric } from '../series';
import { runColours, runLabel } from '../setup';
import { isActive, type RunState, type RunStatus } from '../state';
import { behindNote, type XAxisKind } from '../compute-axis';
import { MetricExplain } from './explain';
import { ModelExport } from './model-export';
import { useLab } from '../store';

const STATUS_TEXT: Record<RunStatus, string> = {
  ready: 'ready',
  starting: 'starting',
  waiting: 'waiting for the ancestor',
  running: 'running',
  paused: 'paused',
  stopping: 'stopping after this generation',
  stopped: 'stopped (can resume)',
  completed: 'completed',
  interrupted: 'interrupted (can resume)',
  error: 'error',
};

export function RunCards() {
  const runs = useLab((s) => s.runs);
  const axis = useLab((s) => s.view.xAxis);
  const planned = useLab(useShallow((s) => (s.runs.length ? null : s.setup.runs)));
  if (planned) {
    const colours = runColours(planned);
    return (
      <section className="run-cards" aria-labelledby="runs-title">
        <RunsTitle />
        {planned.map((v, i) => (
          <div className="card run-card" key={i} style={{ borderTopColor: colours[i] }}>
            <h3>
              <span className="swatch" style={{ background: colours[i] }} aria-hidden="true" /> {runLabel(v)}
            </h3>
            <p className="muted">Not started. Press Start: both runs evolve from the same ancestor and seed.</p>
          </div>
        ))}
      </section>
    );
  }
  return (
    <section className="run-cards" aria-labelledby="runs-title">
      <RunsTitle />
      {runs.map((r) => (
        <RunCard key={r.id} run={r} behind={behindOf(r, runs, axis)} />
      ))}
    </section>
  );
}

/** Why a run trails the others (it trains more networks a generation), for its card; null when it does not. */
function behindOf(run: RunState, runs: readonly RunState[], axis: XAxisKind): string | null {
  const facts = (r: RunState) => ({ label: r.label, records: r.records, population: r.config.population });
  return isActive(run.status) ? behindNote(facts(run), runs.map(facts), axis) : null;
}

/** Heading levels go h1 → h2 → h3 even where the setup (the first h2) follows the runs (presenter mode). */
const RunsTitle = () => (
  <h2 id="runs-title" className="visually-hidden">
    Runs
  </h2>
);

const RunCard = memo(function RunCard({ run, behind }: { run: RunState; behind: string | null }) {
  const p = run.progress;
  const latest = bestPerGeneration(run.records).at(-1);
  const gens = run.config.generations;
  return (
    <article
      className="card run-card"
      style={{ borderTopColor: run.colour }}
      data-testid={`run-${run.variant.mode}`}
      data-run-label={run.label}
      data-status={run.status}
      data-saved-generation={run.savedGeneration}
    >
      <h3>
        <span className="swatch" style={{ background: run.colour }} aria-hidden="true" /> {run.label}
        <span className={`badge status-${run.status}`} data-testid="run-status">
          {STATUS_TEXT[run.status]}
        </span>
      </h3>
      {run.error ? (
        <p className="error" role="alert">
          {run.error}
        </p>
      ) : null}
      {run.stage && !p ? (
        <div className="stage">
          <div>{run.stage.message}</div>
          {run.stage.total ? (
            <progress max={run.stage.total} value={run.stage.done ?? 0} aria-label="loading progress" />
          ) : (
            <progress aria-label="working" />
          )}
        </div>
      ) : null}
      {p ? (
        <div className="progress-block" data-testid="progress">
          <div>
            <strong>
              Generation {p.generation} of {gens}
            </strong>
            {/* Paused after a step: its progress is the generation it finished. */}
            {latest?.generation === p.generation
              ? ' · done'
              : `${p.population > 1 ? ` · network ${p.individual + 1} of ${p.population}` : ''} · ${
                  p.phase === 'train' ? 'training' : p.phase === 'evaluate' ? 'testing' : 'synthesising offspring'
                }`}
          </div>
          <progress max={gens} value={p.generation - 1 + generationFraction(p)} aria-label="run progress" />
          {p.phase === 'train' ? (
            <>
              <div>
                Epoch {p.epoch} of {p.epochs} · batch {p.batch} of {p.batches}
                {p.loss !== null ? ` · loss ${p.loss.toFixed(3)}` : ''}
              </div>
              <progress max={p.batches} value={p.batch} aria-label="epoch progress" />
            </>
          ) : null}
          <div className="muted">
            Time left: {formatDuration(run.etaSeconds)}
            {run.waitingForCpu ? ' · taking turns: waiting for a free core' : ''}
          </div>
        </div>
      ) : null}
      {behind ? (
        <p className="behind" data-testid="run-behind">
          {behind}
        </p>
      ) : null}
      {latest ? (
        <dl className="latest" data-testid="latest" data-generation={latest.generation}>
          <div>
            <dt>
              Gen {latest.generation} <MetricExplain metric="testAccuracy" />
            </dt>
            <dd>{formatMetric('testAccuracy', latest.testAccuracy)}</dd>
          </div>
          <div>
            <dt>
              Synaptic eff. <MetricExplain metric="synapticEfficiency" />
            </dt>
            <dd>{formatMetric('synapticEfficiency', latest.synapticEfficiency)}</dd>
          </div>
          <div>
            <dt>
              Cluster eff. <MetricExplain metric="clusterEfficiency" />
            </dt>
            <dd>{formatMetric('clusterEfficiency', latest.clusterEfficiency)}</dd>
          </div>
        </dl>
      ) : null}
      <ModelExport run={run} />
      <div className="card-actions">
        <button
          type="button"
          className="small"
          data-testid="export-json"
          disabled={!run.records.length}
          onClick={() => downloadJson(run)}
        >
          Export JSON
        </button>
        <button
          type="button"
          className="small"
          data-testid="export-csv"
          disabled={!run.records.length}
          onClick={() => downloadCsv(run)}
        >
          Export CSV
        </button>
        {run.backend ? <span className="muted">on {run.backend.backend}</span> : null}
        {run.savedGeneration ? (
          <span className="muted">· saved in this browser to gen {run.savedGeneration}</span>
        ) : null}
      </div>
    </article>
  );
});
