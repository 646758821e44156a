/**
 * The standard dataset files by name: which one a dropped file is, and where each is served.
 * Pure catalogue functions over the manifests, so the page can use them without pulling in the
 * readers that check files (files.ts, in the Worker).
 */
import { registeredDataset, registeredFiles, type RegisteredName } from '../data/registry';

type DatasetName = RegisteredName;

export const basename = (p: string) => p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);

/** What a dropped file must be, judged by its name; null when the name is not a standard one. */
export function standardFileFor(
  dataset: DatasetName,
  fileName: string,
): { path: string; split: 'train' | 'test' | 'extra'; index: number } | null {
  const m = registeredDataset(dataset);
  const name = basename(fileName).replace(/\.gz$/, '');
  for (const split of ['train', 'test'] as const) {
    const i = m.splits[split].files.findIndex((f) => basename(f.path) === name);
    if (i >= 0) return { path: m.splits[split].files[i].path, split, index: i };
  }
  const e = m.extra.findIndex((f) => basename(f.path) === name);
  return e >= 0 ? { path: m.extra[e].path, split: 'extra', index: e } : null;
}

/** The standard base names of a dataset's files as stored by `npm run data`. */
export function standardFileNames(dataset: DatasetName): string[] {
  return registeredFiles(registeredDataset(dataset)).map((f) => basename(f.path) + (f.gzip ? '.gz' : ''));
}

/** Where each standard file is served (relative to the data root), and its name as stored. */
export function servedFiles(dataset: DatasetName): { name: string; path: string; gzip: boolean }[] {
  return registeredFiles(registeredDataset(dataset)).map((f) => ({
    name: basename(f.path) + (f.gzip ? '.gz' : ''),
    path: f.path,
    gzip: f.gzip,
  }));
}
