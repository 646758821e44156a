/**
 * The header: the big Start/Pause/Resume button, one generation at a time, stop and reset,
 * presenter mode, and which backend runs and why. Compact on phones (not pinned there).
 */
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  continueAll,
  pauseAll,
  resetLab,
  resumeComparison,
  setPresenting,
  showPanel,
  startComparison,
  stepGeneration,
  stopAfterGeneration,
} from '../lab';
import { measureBackendAgain } from '../backend-choices';
import { backendSummary, wasMeasured } from '../backend-status';
import { setupProblems } from '../setup';
import { isActive, resumable } from '../state';
import { useLab } from '../store';

type Primary = { label: string; action: () => void; disabled: boolean; why?: string };

export function Header() {
  const { runs, sessionId, missing, served, restoring, setup, paused, shipped, replaying } = useLab(
    useShallow((s) => ({
      replaying: s.replay !== null,
      shipped: s.shippedAncestor,
      runs: s.runs,
      sessionId: s.sessionId,
      missing: s.data.missing,
      served: s.data.served,
      restoring: s.restoring,
      setup: s.setup,
      paused: s.paused,
    })),
  );
  const lookingForAncestor = setup.ancestor === 'shipped' && shipped === 'unknown';
  const active = runs.filter((r) => isActive(r.status));
  const running = active.length > 0 && !paused;
  const allPaused = active.length > 0 && paused;
  const canResume = !active.length && runs.some((r) => resumable(r, setup.generations));
  const problems = setupProblems(setup);

  let primary: Primary;
  if (replaying)
    primary = { label: 'Start', action: () => {}, disabled: true, why: 'a replay is shown: close it to run your own' };
  else if (restoring) primary = { label: 'Start', action: () => {}, disabled: true, why: 'reading saved runs…' };
  else if (!sessionId || !runs.length)
    primary = {
      label: 'Start',
      action: startComparison,
      // A start before the shipped ancestor is found would train one instead of using it.
      disabled: problems.length > 0 || missing.length > 0 || served === 'checking' || lookingForAncestor,
      why:
        problems[0] ??
        (missing.length
          ? 'dataset files missing: see Data'
          : served === 'checking'
            ? 'checking the dataset files…'
            : lookingForAncestor
              ? 'looking for the shipped ancestor…'
              : undefined),
    };
  else if (running) primary = { label: 'Pause', action: pauseAll, disabled: false };
  else if (allPaused) primary = { label: 'Continue', action: continueAll, disabled: false };
  else if (canResume)
    primary = {
      label: 'Resume',
      action: resumeComparison,
      disabled: problems.length > 0 || missing.length > 0,
      why: problems[0],
    };
  else primary = { label: 'Finished', action: () => {}, disabled: true, why: 'raise Generations to go on, or Reset' };
  // One generation on: from a pause, while running (then it pauses at the generation's end), or
  // to start or resume a comparison that way. Not while a step is still under way.
  const stepping = paused && active.some((r) => r.status !== 'paused');
  const canStep =
    !restoring &&
    (active.length
      ? !stepping && !active.every((r) => r.status === 'stopping')
      : (primary.label === 'Start' || primary.label === 'Resume') && !primary.disabled);

  return (
    <header className="header">
      <div className="brand">
        <h1>EvoLab</h1>
        <p>Asexual vs sexual evolution of compact CNNs</p>
      </div>
      <div className="actions">
        <div className="buttons">
          <button
            type="button"
            className="primary"
            data-testid="primary"
            onClick={primary.action}
            disabled={primary.disabled}
            aria-describedby="primary-why"
          >
            {primary.label}
          </button>
          <button
            type="button"
            data-testid="step"
            onClick={stepGeneration}
            disabled={!canStep}
            title="Run one more generation, then pause"
          >
            {stepping ? 'One generation…' : 'Next generation'}
          </button>
          <button
            type="button"
            data-testid="stop"
            onClick={stopAfterGeneration}
            disabled={!active.length || active.every((r) => r.status === 'stopping')}
            aria-label="Stop after this generation"
          >
            Stop<span className="wide-only"> after this generation</span>
          </button>
          <button
            type="button"
            data-testid="reset"
            onClick={() => {
              if (!active.length || confirm('Stop every run and forget the results of this comparison?'))
                void resetLab();
            }}
            disabled={!sessionId}
          >
            Reset
          </button>
        </div>
        {/* Always there (empty when there is nothing to say), so the page does not move when it changes. */}
        <span id="primary-why" className="why">
          {primary.why}
        </span>
      </div>
      <div className="tools">
        <PresentButton />
        <PanelButton panel="open" label="Open a run…" testId="open-run-button" />
        <PanelButton panel="saved" label="Saved sessions" testId="saved-sessions-button" />
      </div>
      <BackendStatus />
    </header>
  );
}

/** Opens (or closes) one of the tool panels: "Open a run…" or "Saved sessions". */
function PanelButton({ panel, label, testId }: { panel: 'open' | 'saved'; label: string; testId: string }) {
  const open = useLab((s) => s.view.panel === panel);
  return (
    <button type="button" data-testid={testId} aria-expanded={open} onClick={() => showPanel(open ? null : panel)}>
      {label}
    </button>
  );
}

/** Presenter mode with the Fullscreen API; leaving full screen (Esc) leaves the mode it entered with. */
function PresentButton() {
  const present = useLab((s) => s.view.present);
  const withFullscreen = useRef(false);
  useEffect(() => {
    const changed = () => {
      if (document.fullscreenElement || !withFullscreen.current) return;
      withFullscreen.current = false;
      setPresenting(false);
    };
    document.addEventListener('fullscreenchange', changed);
    return () => document.removeEventListener('fullscreenchange', changed);
  }, []);
  const toggle = () => {
    if (present) {
      withFullscreen.current = false;
      setPresenting(false);
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
      return;
    }
    setPresenting(true);
    // Full screen needs the click's user activation, and may be refused (an iframe, a kiosk): then
    // presenter mode goes on in the window.
    void document.documentElement
      .requestFullscreen?.()
      .then(() => (withFullscreen.current = true))
      .catch(() => {});
  };
  return (
    <button type="button" className="present-toggle" data-testid="present" onClick={toggle}>
      {present ? 'Leave presenter mode' : 'Present'}
    </button>
  );
}

function BackendStatus() {
  const { runs, preference } = useLab(useShallow((s) => ({ runs: s.runs, preference: s.setup.backend })));
  const withBackend = runs.filter((r) => r.backend);
  const distinct = [...new Map(withBackend.map((r) => [`${r.backend!.backend}|${r.backend!.reason}`, r])).values()];
  return (
    <div className="backend" data-testid="backend-status" aria-live="polite">
      {distinct.length === 0 ? (
        <span>
          <strong>Compute:</strong> chosen when a run starts (
          {preference === 'auto' ? 'the fastest that works here' : `${preference} requested`})
        </span>
      ) : (
        distinct.map((r) => {
          // Plain words first; what was tried, and why, on expand (backend-status.ts).
          const { headline, details } = backendSummary(r.backend!);
          return (
            <details key={r.id} className="backend-details">
              <summary>
                {headline}
                {distinct.length > 1 ? ` (${r.label})` : ''}{' '}
                <span className="visually-hidden">
                  backend <span data-testid="backend-name">{r.backend!.backend}</span>
                </span>
              </summary>
              <ul>
                {details.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            </details>
          );
        })
      )}
      {preference === 'auto' && distinct.some((r) => wasMeasured(r.backend!)) ? <MeasureAgain /> : null}
    </div>
  );
}

/** Forgets the measured choice (issue 21): the next run that starts times the backends again. */
function MeasureAgain() {
  const [state, setState] = useState<'idle' | 'forgotten' | 'failed'>('idle');
  if (state === 'forgotten')
    return (
      <span className="why" data-testid="remeasure-note">
        The next run to start measures the backends again.
      </span>
    );
  return (
    <button
      type="button"
      data-testid="remeasure-backend"
      title="Forget which backend was measured fastest on this device; the next run to start times them again"
      onClick={() =>
        void measureBackendAgain().then(
          () => setState('forgotten'),
          () => setState('failed'),
        )
      }
    >
      {state === 'failed' ? 'Measure again (could not reach the browser storage; try again)' : 'Measure again'}
    </button>
  );
}
