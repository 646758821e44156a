/**
 * "Open a run…": the recorded comparisons this site ships, and a file picker (or a drop anywhere
 * on the page) for a run exported from the lab, a saved session's export, or the run.json of
 * `npm run evolve`. What opens is replayed; a file that cannot be opened is named here with what
 * is wrong in it, and nothing else on the page changes.
 */
import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { openRecorded, openRunFiles, showPanel } from '../lab';
import { useLab } from '../store';

const DATASET_NAMES: Record<string, string> = { mnist: 'MNIST', cifar10: 'CIFAR-10' };

export function OpenRunPanel() {
  const { shown, problems, recorded } = useLab(
    useShallow((s) => ({ shown: s.view.panel === 'open', problems: s.openProblems, recorded: s.recorded })),
  );
  const input = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Opened from the header: the keyboard lands on it (not when problems reopen it).
  useEffect(() => {
    if (shown) heading.current?.focus();
  }, [shown]);
  if (!shown) return null;
  return (
    <section className="panel tool-panel" id="open-run-panel" aria-labelledby="open-run-title" data-testid="open-run">
      <div className="section-head">
        <h2 id="open-run-title" ref={heading} tabIndex={-1}>
          Open a run
        </h2>
        <button type="button" className="small" data-testid="open-run-close" onClick={() => showPanel(null)}>
          Close
        </button>
      </div>
      <p>
        Replay finished runs generation by generation, without training: a recorded comparison from this site, or a JSON
        file — what the lab exports (a run, all runs, a saved session) or the <code>run.json</code> of{' '}
        <code>npm run evolve</code>. Several files open side by side. You can also drop them anywhere on the page.
      </p>
      <div className="card-actions">
        <button type="button" data-testid="open-run-choose" onClick={() => input.current?.click()}>
          Choose files…
        </button>
        <input
          ref={input}
          type="file"
          accept=".json,application/json"
          multiple
          hidden
          data-testid="open-run-input"
          aria-label="Run files to open"
          onChange={(e) => {
            void openRunFiles([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
      </div>
      {problems.length ? (
        <div className="open-problems" role="alert" data-testid="open-run-problems">
          <p>
            <strong>{problems.length === 1 ? 'This file was not opened:' : 'These files were not opened:'}</strong>
          </p>
          <ul>
            {problems.map((p) => (
              <li key={p} data-testid="open-run-problem">
                {p}
              </li>
            ))}
          </ul>
          <p className="muted">Nothing else on the page changed.</p>
        </div>
      ) : null}
      <h3>Recorded runs</h3>
      {recorded.status === 'loading' || recorded.status === 'idle' ? <p className="muted">Looking for them…</p> : null}
      {recorded.status === 'failed' ? (
        <p className="muted" data-testid="recorded-missing">
          This site ships no recorded runs ({recorded.error}).
        </p>
      ) : null}
      {recorded.status === 'ready' ? (
        <ul className="recorded-list">
          {recorded.entries.map((e) => (
            <li key={e.id} className="card" data-testid="recorded-run" data-recorded-id={e.id}>
              <h4>{e.name}</h4>
              <p>{e.description}</p>
              <p className="muted">
                {DATASET_NAMES[e.dataset] ?? e.dataset} · {e.generations} generations · from {e.source}
              </p>
              <button
                type="button"
                className="small"
                data-testid="replay-recorded"
                aria-label={`Replay ${e.name}`}
                onClick={() => void openRecorded(e.id)}
              >
                Replay
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
