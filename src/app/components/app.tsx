/** The lab page: header, controls and data on the left, runs, charts and heatmaps on the right. */
import { useEffect } from 'react';
import { addDroppedFiles } from '../lab';
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
import { DamagedSession, PanelBoundary } from './panel-boundary';
import { RunCards } from './run-cards';
import { RunsExport } from './runs-export';
import { useLab } from '../store';

export function App() {
  // Files dropped anywhere on the page count as dropped on the data panel.
  useEffect(() => {
    const over = (e: DragEvent) => e.preventDefault();
    const drop = (e: DragEvent) => {
      e.preventDefault();
      if (e.dataTransfer?.files.length) void addDroppedFiles([...e.dataTransfer.files]);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);
  // Missing data is the first thing to fix: then the Data panel comes first.
  const dataFirst = useLab((s) => s.data.missing.length > 0);
  const data = (
    <PanelBoundary name="data panel">
      <DataPanel />
    </PanelBoundary>
  );
  return (
    <div className="app">
      {/* Each panel fails alone: a damaged run shows a message in its place, never a blank page. */}
      <PanelBoundary name="header">
        <Header />
      </PanelBoundary>
      <PanelBoundary name="messages">
        <Notices />
      </PanelBoundary>
      <div className="layout">
        <aside className="sidebar">
          {dataFirst ? data : null}
          <PanelBoundary name="settings">
            <Controls />
          </PanelBoundary>
          {dataFirst ? null : data}
        </aside>
        <main className="main">
          {/* Teaching panels (issue 15): the explanation first, the verdict under the runs, then mating and try-it. */}
          <DamagedSession />
          <PanelBoundary name="how it works">
            <HowItWorks />
          </PanelBoundary>
          <PanelBoundary name="runs">
            <RunCards />
            <RunsExport />
          </PanelBoundary>
          <PanelBoundary name="verdict">
            <Verdict />
          </PanelBoundary>
          <PanelBoundary name="charts">
            <Charts />
          </PanelBoundary>
          <PanelBoundary name="heatmaps">
            <Heatmaps />
          </PanelBoundary>
          <PanelBoundary name="mating view">
            <MatingView />
          </PanelBoundary>
          <PanelBoundary name="try it">
            <TryIt />
          </PanelBoundary>
        </main>
      </div>
    </div>
  );
}
