/** Export of the whole comparison at once (each run also has its own JSON and CSV buttons). */
import { downloadAllJson } from '../export';
import { useLab } from '../store';

export function RunsExport() {
  const runs = useLab((s) => s.runs);
  if (!runs.some((r) => r.records.length)) return null;
  return (
    <div className="runs-export">
      <button type="button" className="small" data-testid="export-all" onClick={() => downloadAllJson(runs)}>
        Export all runs (JSON)
      </button>
    </div>
  );
}
