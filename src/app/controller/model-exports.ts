/**
 * Exporting a run's network from the lab: a Worker reads the generation's networks this browser
 * kept, builds the compacted TensorFlow.js model and hands back its files, which the run's card
 * offers as downloads (model.json and its weights, for tf.loadLayersModel). The page never sees
 * a tensor: only bytes and a summary.
 */
import type { NetworkRecord } from '../../experiment/records';
import type { WorkerEvent } from '../../worker/protocol';
import { bestPerGeneration } from '../series';
import type { ModelExport } from '../store';
import type { LabDeps, Notify, RunWorker } from './ports';

/** Object URLs for the downloads; the browser's by default. */
export interface ObjectUrls {
  create(blob: Blob): string;
  revoke(url: string): void;
}

const browserUrls: ObjectUrls = { create: (b) => URL.createObjectURL(b), revoke: (u) => URL.revokeObjectURL(u) };

type Deps = Pick<LabDeps, 'store' | 'createWorker' | 'location'> & { notify: Notify; urls?: ObjectUrls };

/** The network the lab exports of a generation: the most accurate, as the charts show it. */
export function exportedNetwork(records: readonly NetworkRecord[], generation: number): NetworkRecord | null {
  return bestPerGeneration(records.filter((r) => r.generation === generation))[0] ?? null;
}

export function createModelExports({ store, createWorker, location, notify, urls = browserUrls }: Deps) {
  const { getState: get, setState: set } = store;
  const forget = (e: ModelExport | undefined) => e?.files.forEach((f) => urls.revoke(f.url));
  const put = (runId: string, e: ModelExport) => set((s) => ({ exports: { ...s.exports, [runId]: e } }));

  return {
    /** Exports the most accurate network of `generation` (default: the newest) of a run. */
    async exportModel(runId: string, generation?: number): Promise<void> {
      const run = get().runs.find((r) => r.id === runId);
      if (!run || !run.records.length) return;
      const gen = generation ?? Math.max(...run.records.map((r) => r.generation));
      const record = exportedNetwork(run.records, gen);
      if (!record) return notify('error', `${run.label} has no generation ${gen} to export`);
      forget(get().exports[runId]);
      const base = { generation: gen, individual: record.individual, files: [], summary: null, message: null };
      put(runId, { ...base, status: 'working' });
      let w: RunWorker | undefined;
      try {
        const ev = await new Promise<Extract<WorkerEvent, { type: 'model-exported' }>>((resolve, reject) => {
          w = createWorker('evolab model export', {
            event: (e) => {
              if (e.type === 'model-exported') resolve(e);
              else if (e.type === 'export-failed') reject(new Error(e.message));
            },
            error: (message) => reject(new Error(message || 'the export Worker failed')),
          });
          w.post({
            type: 'export-model',
            runId,
            record,
            run: { config: run.config, ...(run.data ? { data: run.data } : {}) },
            wasmBaseUrl: new URL('/tfjs-wasm/', location.origin).href,
          });
        });
        const files = ev.files.map((f) => ({
          name: f.name,
          bytes: f.bytes.byteLength,
          url: urls.create(new Blob([f.bytes as BlobPart], { type: f.type })),
        }));
        put(runId, { ...base, status: 'done', files, summary: ev.summary });
      } catch (e) {
        const message = (e as Error).message;
        put(runId, { ...base, status: 'failed', message });
        notify('error', `${run.label}: could not export generation ${gen}: ${message}`);
      } finally {
        w?.terminate();
      }
    },

    /** Forgets every export (a reset), revoking its downloads. */
    clear(): void {
      Object.values(get().exports).forEach(forget);
      set({ exports: {} });
    },
  };
}
