/**
 * What the page knows about the data and the optional files the site serves: which dataset files
 * are served or dropped, whether a shipped ancestor exists, and our reproduction curves.
 */
import { isFolderKind, REGISTERED_NAMES, type FolderDatasetKind, type RegisteredName } from '../../experiment/datasets';
import { servedFiles, standardFileFor } from '../../worker/dataset-files';
import type { AncestorMeta, DroppedFolder, WorkerEvent } from '../../worker/protocol';
import { parseReproduced } from '../reproduced';
import type { LabDeps, Notify, RunWorker } from './ports';

type Deps = Pick<LabDeps, 'store' | 'fetch' | 'createWorker'> & { notify: Notify };

/** Dev and preview servers answer unknown paths with index.html. */
const isPage = (res: Response) => (res.headers.get('content-type') ?? '').includes('text/html');

/** What the person must drop for a folder dataset, as "missing" names it. */
export const FOLDER_WANTED: Record<FolderDatasetKind, string> = {
  idx: 'the four IDX files (a folder, the files or a zip)',
  images: 'a folder (or zip) with one sub-folder of pictures per class',
};

function stillMissing(dataset: RegisteredName, notServed: string[], dropped: File[]): string[] {
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

  /** Which of a registered dataset's standard files the site serves (plain or gzipped). */
  async function servedOf(dataset: RegisteredName): Promise<boolean[]> {
    return Promise.all(
      servedFiles(dataset).map(
        async (f) =>
          (await isServed(`/data/${f.path}${f.gzip ? '.gz' : ''}`)) ||
          (await isServed(`/data/${f.path}${f.gzip ? '' : '.gz'}`)),
      ),
    );
  }

  return {
    /** Which of the dataset's standard files the site serves; for a folder dataset, whether one was dropped. */
    async checkData(): Promise<void> {
      const dataset = get().setup.dataset;
      if (isFolderKind(dataset)) {
        set((s) => ({
          data: { ...s.data, served: 'missing', notServed: [], missing: s.data.folder ? [] : [FOLDER_WANTED[dataset]] },
        }));
        return;
      }
      set((s) => ({ data: { ...s.data, served: 'checking' } }));
      const files = servedFiles(dataset);
      const served = await servedOf(dataset);
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

    /** Which registered datasets the site serves in full, for the data panel's list (once, at start). */
    async checkAvailability(): Promise<void> {
      const found = await Promise.all(REGISTERED_NAMES.map(async (name) => (await servedOf(name)).every(Boolean)));
      set((s) => ({
        data: { ...s.data, available: Object.fromEntries(REGISTERED_NAMES.map((name, i) => [name, found[i]])) },
      }));
    },

    /**
     * Opens a dropped folder or zip as the chosen IDX or image-folder dataset in a Worker (it
     * decodes every picture, which would block the page); keeps it when it opens.
     */
    async addDroppedFolder(folder: DroppedFolder): Promise<void> {
      const dataset = get().setup.dataset;
      if (!isFolderKind(dataset)) return;
      set((s) => ({ data: { ...s.data, checking: true } }));
      let w: RunWorker | undefined;
      try {
        const answer = await new Promise<Extract<WorkerEvent, { type: 'folder-checked' }>>((resolve, reject) => {
          w = createWorker('evolab folder check', {
            event: (ev) => {
              if (ev.type === 'folder-checked') resolve(ev);
            },
            error: (message) => reject(new Error(message || 'the folder-check Worker failed')),
          });
          w.post({ type: 'check-folder', dataset, folder });
        });
        if (get().setup.dataset !== dataset) return;
        const { ok, message, data } = answer;
        if (!ok) notify('error', `Dropped ${folder.kind === 'zip' ? 'zip' : 'folder'} refused: ${message}`);
        set((s) => {
          const kept = ok ? folder : s.data.folder;
          return {
            data: {
              ...s.data,
              folder: kept,
              folderCheck: { ok, message, ...(data ? { data } : {}) },
              missing: kept ? [] : [FOLDER_WANTED[dataset]],
            },
          };
        });
      } catch (e) {
        notify('error', `Could not read the dropped folder: ${(e as Error).message}`);
      } finally {
        set((s) => ({ data: { ...s.data, checking: false } }));
        w?.terminate();
      }
    },

    /** Checks dropped files in a Worker (gunzipping 10 MB would block the page), keeps the good ones. */
    async addDroppedFiles(files: File[]): Promise<void> {
      if (!files.length) return;
      const dataset = get().setup.dataset;
      if (isFolderKind(dataset)) return;
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

    /**
     * Whether the site ships a trained ancestor for the dataset (`npm run ancestors`), and what it
     * is. Only an ancestor made for this dataset is offered: its meta file says which (a folder
     * dataset has none: its images are the person's own).
     */
    async checkShippedAncestor(): Promise<void> {
      const dataset = get().setup.dataset;
      if (isFolderKind(dataset)) {
        set({ shippedAncestor: 'absent', shippedMeta: null });
        return;
      }
      let present = await isServed(`/ancestors/${dataset}.json`);
      let meta: AncestorMeta | null = null;
      if (present) {
        try {
          const res = await fetch(`/ancestors/${dataset}.meta.json`);
          if (res.ok && !isPage(res)) meta = (await res.json()) as AncestorMeta;
        } catch {
          /* the description is optional */
        }
        if (meta && meta.dataset !== dataset) {
          present = false;
          meta = null;
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
