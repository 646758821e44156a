/**
 * A run's networks as files others can load: the real size and speed of each generation's
 * compacted export beside the ancestor's (from the records), and a button that exports the
 * chosen generation's best network as a TensorFlow.js LayersModel (model.json and its weights).
 */
import { useState } from 'react';
import type { NetworkRecord } from '../../experiment/records';
import { exportModel } from '../lab';
import { bestPerGeneration } from '../series';
import type { RunState } from '../state';
import { useLab } from '../store';
import { MetricExplain } from './explain';

export const formatBytes = (bytes: number): string =>
  bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(2)} MB`
    : bytes >= 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${bytes} bytes`;

const perSecond = (n: number) => `${Math.round(n).toLocaleString('en')} images/s`;

/** "23.4 KB · 12,345 images/s", or null for a record made before sizes were measured. */
function sizeOf(r: NetworkRecord | undefined): string | null {
  if (!r || r.exportBytes === undefined) return null;
  return `${formatBytes(r.exportBytes)}${r.inferenceImagesPerSecond ? ` · ${perSecond(r.inferenceImagesPerSecond)}` : ''}`;
}

export function ModelExport({ run }: { run: RunState }) {
  const state = useLab((s) => s.exports[run.id]);
  const best = bestPerGeneration(run.records);
  const [chosen, setChosen] = useState<number | null>(null);
  if (!best.length) return null;
  const generation = chosen !== null && best.some((r) => r.generation === chosen) ? chosen : best.at(-1)!.generation;
  const record = best.find((r) => r.generation === generation);
  const ancestor = best.find((r) => r.generation === 1);
  const size = sizeOf(record);
  const ancestorSize = generation === 1 ? null : sizeOf(ancestor);
  const shown = state && state.generation === generation ? state : null;
  return (
    <div className="model-export" data-testid="model-export">
      {size ? (
        <p data-testid="model-size" data-bytes={record?.exportBytes} data-generation={generation}>
          Gen {generation} as a model: <strong>{size}</strong>
          {ancestorSize ? <span className="muted"> (ancestor: {ancestorSize})</span> : null}{' '}
          <MetricExplain metric="exportBytes" /> <MetricExplain metric="inferenceImagesPerSecond" />
        </p>
      ) : null}
      <div className="export-controls">
        <label>
          Generation{' '}
          <select
            data-testid="export-generation"
            value={generation}
            onChange={(e) => setChosen(Number(e.target.value))}
          >
            {best.map((r) => (
              <option key={r.generation} value={r.generation}>
                {r.generation}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="small"
          data-testid="export-model"
          disabled={shown?.status === 'working'}
          onClick={() => void exportModel(run.id, generation)}
        >
          {shown?.status === 'working' ? 'Exporting…' : 'Export model'}
        </button>
      </div>
      {shown?.status === 'done' && shown.summary ? (
        <div className="export-files" data-testid="model-files">
          <p>
            Generation {shown.generation}, network {shown.individual + 1}: {formatBytes(shown.summary.bytes)},{' '}
            {shown.summary.parameters.toLocaleString('en')} parameters, {perSecond(shown.summary.imagesPerSecond)} here.
            Kept filters:{' '}
            {shown.summary.layers
              .filter((l) => l.name !== 'fc2')
              .map((l) => `${l.name} ${l.filters}/${l.ofFilters}`)
              .join(', ')}
            .
          </p>
          <p>
            Download both files into one folder, then <code>await tf.loadLayersModel(&apos;…/model.json&apos;)</code>:{' '}
            {shown.files.map((f) => (
              <a key={f.name} href={f.url} download={f.name} data-testid="model-file" className="download">
                {f.name} ({formatBytes(f.bytes)})
              </a>
            ))}
          </p>
        </div>
      ) : null}
      {shown?.status === 'failed' ? (
        <p className="error" data-testid="model-export-failed">
          {shown.message}
        </p>
      ) : null}
    </div>
  );
}
