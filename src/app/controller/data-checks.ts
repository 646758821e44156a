/**
 * What the page knows about the data and the optional files the site serves: which dataset files
 * are served or dropped, whether a shipped ancestor exists, and our reproduction curves.
 */
import { servedFiles, standardFileFor } from '../../worker/dataset-files';
import type { AncestorMeta, WorkerEvent } from '../../worker/protocol';
import { parseReproduced } from '../reproduced';
import type { LabSetup } from '../setup';
import type { LabDeps, Notify, RunWorker } from './ports';

type Deps = Pick<LabDeps, 'store' | 'fetch' | 'createWorker'> & { notify: Notify };

/** Dev and preview servers answer unknown paths with index.html. */
const isPage = (res: Response) => (res.headers.get('content-type') ?? '').includes('text/html');

function stillMissing(dataset: LabSetup['dataset'], notServed: string[], dropped: File[]): string[] {
  const droppedPaths = new Set(dropped.map((f) => standardFileFor(dataset, f.name)?.path));
  return notServed.filter((name) => !droppedPaths.has(standardFileFor(dataset, name)?.path));
}

export function createDataChecks({ store, fetch, createWorker, notify }: Deps) {
  const { getState: get, setState: set } = store;

  async function isServed(url: string): Promise<boolean> {
    try {
      const res = await fetch(url, { method: 'HEAD', cache: 'no-store' });
      return res.ok && !isPage(res);
    } catch {
      return false;
    }
  }

  return {
    /** Which of the dataset's standard files the site serves (plain or gzipped). */
    async checkData(): Promise<void> {
      const dataset = get().setup.dataset;
      set((s) => ({ data: { ...s.data, served: 'checking' } }));
      const files = servedFiles(dataset);
      const served = await Promise.all(
        files.map(
          async (f) =>
            (await isServed(`/data/${f.path}${f.gzip ? '.gz' : ''}`)) ||
            (await isServed(`/data/${f.path}${f.gzip ? '' : '.gz'}`)),
        ),
      );
      if (get().setup.dataset !== dataset) return;
      const notServed = files.filter((_, i) => !served[i]).map((f) => f.name);
      set((s) => ({
        data: {
          ...s.data,
          served: notServed.length ? 'missing' : 'present',
          notServed,
          missing: stillMissing(dataset, notServed, s.data.dropped),
        },
      }));
    },

    /** Checks dropped files in a Worker (gunzipping 10 MB would block the page), keeps the good ones. */
    async addDroppedFiles(files: File[]): Promise<void> {
      if (!files.length) return;
      const dataset = get().setup.dataset;
      set((s) => ({ data: { ...s.data, checking: true } }));
      let w: RunWorker | undefined;
      try {
        const { results } = await new Promise<Extract<WorkerEvent, { type: 'files-checked' }>>((resolve, reject) => {
          w = createWorker('evolab file check', {
            event: (ev) => {
              if (ev.type === 'files-checked') resolve(ev);
            },
            error: (message) => reject(new Error(message || 'the file-check Worker failed')),
          });
          w.post({ type: 'check-files', dataset, files });
        });
        const good = files.filter((_, i) => results[i]?.ok);
        for (const r of results) if (!r.ok) notify('error', `Dropped file refused: ${r.message}`);
        if (get().setup.dataset !== dataset) return;
        set((s) => {
          const dropped = s.data.dropped.filter((d) => !good.some((g) => g.name === d.name)).concat(good);
          return {
            data: {
              ...s.data,
              dropped,
              checks: [...results, ...s.data.checks].slice(0, 20),
              missing: stillMissing(dataset, s.data.notServed, dropped),
            },
          };
        });
      } catch (e) {
        notify('error', `Could not check the dropped files: ${(e as Error).message}`);
      } finally {
        set((s) => ({ data: { ...s.data, checking: false } }));
        w?.terminate();
      }
    },

    /** Whether the site ships a trained ancestor for the dataset (`npm run ancestors`), and what it is. */
    async checkShippedAncestor(): Promise<void> {
      const dataset = get().setup.dataset;
      const present = await isServed(`/ancestors/${dataset}.json`);
      let meta: AncestorMeta | null = null;
      if (present) {
        try {
          const res = await fetch(`/ancestors/${dataset}.meta.json`);
          if (res.ok && !isPage(res)) meta = (await res.json()) as AncestorMeta;
        } catch {
          /* the description is optional */
        }
      }
      if (get().setup.dataset === dataset) set({ shippedAncestor: present ? 'present' : 'absent', shippedMeta: meta });
    },

    /** Our reproduction runs, once: when the file is missing or unreadable the overlay is simply not offered. */
    async loadReproduced(): Promise<void> {
      try {
        const res = await fetch('/reproduced.json');
        if (!res.ok || isPage(res)) return;
        const curves = parseReproduced(await res.json());
        if (curves) set({ reproduced: curves });
      } catch {
        /* optional */
      } finally {
        set({ reproducedSettled: true });
      }
    },
  };
}
