/**
 * The lab page: header, controls and data on the left, runs, charts and heatmaps on the right; on
 * narrow screens one column, the results first once runs exist. In presenter mode (`?present=1`)
 * the results take the full width and the setup follows them, without its advanced settings.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { dropFiles } from '../lab';
import { Charts } from './charts';
import { Controls } from './controls';
import { DataPanel } from './data-panel';
import { Header } from './header';
import { Heatmaps } from './heatmaps';
import { HowItWorks } from './how-it-works';
import { MatingView } from './mating-view';
import { TryIt } from './try-it';
import { Verdict } from './verdict';
import { Notices } from './notices';
import { OpenRunPanel } from './open-run';
import { ReplayBar } from './replay-bar';
import { SavedSessionsPanel } from './saved-sessions';
import { DamagedSession, PanelBoundary } from './panel-boundary';
import { RunCards } from './run-cards';
import { RunsExport } from './runs-export';
import { useLab } from '../store';

export function App() {
  // Files dropped anywhere on the page: runs (JSON) open in replay, dataset files go to the data panel.
  useEffect(() => {
    const over = (e: DragEvent) => e.preventDefault();
    const drop = (e: DragEvent) => {
      e.preventDefault();
      if (e.dataTransfer?.files.length) void dropFiles([...e.dataTransfer.files]);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);
  const present = useLab((s) => s.view.present);
  // The root font size is set on <html>, so presenter mode scales every rem with it.
  useEffect(() => {
    document.documentElement.classList.toggle('present', present);
  }, [present]);
  // Missing data is the first thing to fix: then the Data panel comes first.
  const dataFirst = useLab((s) => s.data.missing.length > 0);
  // In one column (phones, narrow windows) the results come before the setup once runs exist.
  const narrow = useMediaQuery('(max-width: 1000px)');
  const hasRuns = useLab((s) => s.runs.length > 0);
  const resultsFirst = present || (narrow && hasRuns);
  const data = (
    <PanelBoundary name="data panel">
      <DataPanel />
    </PanelBoundary>
  );
  const sidebar = (
    <aside className="sidebar" key="sidebar">
      {dataFirst ? data : null}
      <PanelBoundary name="settings">
        <Controls />
      </PanelBoundary>
      {dataFirst || present ? null : data}
    </aside>
  );
  return (
    <div className={present ? 'app present' : 'app'}>
      {/* Each panel fails alone: a damaged run shows a message in its place, never a blank page. */}
      <PanelBoundary name="header">
        <Header />
      </PanelBoundary>
      <PanelBoundary name="messages">
        <Notices />
      </PanelBoundary>
      <div className="layout">
        {resultsFirst ? null : sidebar}
        <main className="main" key="main">
          <DamagedSession />
          <PanelBoundary name="open a run">
            <OpenRunPanel />
          </PanelBoundary>
          <PanelBoundary name="saved sessions">
            <SavedSessionsPanel />
          </PanelBoundary>
          <PanelBoundary name="replay">
            <ReplayBar />
          </PanelBoundary>
          <PanelBoundary name="how it works">
            <HowItWorks />
          </PanelBoundary>
          <PanelBoundary name="runs">
            <RunCards />
            <RunsExport />
          </PanelBoundary>
          {/* The verdict and the mating view are full-width blocks (.verdict, .mating-view); presenter mode enlarges both. */}
          <PanelBoundary name="verdict">
            <Verdict />
          </PanelBoundary>
          <PanelBoundary name="charts">
            <Charts />
          </PanelBoundary>
          <PanelBoundary name="mating view">
            <MatingView />
          </PanelBoundary>
          <PanelBoundary name="heatmaps">
            <Heatmaps />
          </PanelBoundary>
          <PanelBoundary name="try it">
            <TryIt />
          </PanelBoundary>
        </main>
        {resultsFirst ? sidebar : null}
      </div>
    </div>
  );
}

/** Whether a CSS media query matches now (and re-renders when that changes). */
function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (changed) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', changed);
      return () => list.removeEventListener('change', changed);
    },
    () => window.matchMedia(query).matches,
  );
}
