/**
 * Dataset files in the Worker: a source that prefers dropped files over the served folder, and a
 * quick check of dropped files (gunzipping 10 MB would block the page). The catalogue of standard
 * names, which the page uses too, is in dataset-files.ts.
 */
import {
  checkCifarBatch,
  DatasetError,
  fileListSource,
  maybeGunzip,
  MAX_GUNZIPPED_BYTES,
  MissingFileError,
  MISSING_HINT,
  parseCifarMeta,
  parseIdxImages,
  parseIdxLabels,
  pathFileSource,
  registeredDataset,
  urlSource,
  zipSource,
  type DataSource,
  type LoadProgress,
  type RegisteredName,
} from '../data';
import { browserImageDecoder } from '../data/browser-decoder';
import type { FolderDatasetKind } from '../experiment/datasets';
import { openRunData, summariseData, type RunData } from '../experiment/run-data';
import { basename, standardFileFor, standardFileNames } from './dataset-files';
import type { DataSpec, DroppedFolder, FileCheck, WorkerEvent } from './protocol';

/** A source that asks each in turn and only moves on when a file is missing (not when it is broken). */
export function layeredSource(sources: DataSource[]): DataSource {
  const where = sources.map((s) => s.describe()).join(', then ');
  return {
    describe: () => where,
    async read(name) {
      for (const s of sources) {
        try {
          return await s.read(name);
        } catch (e) {
          if (e instanceof MissingFileError) continue;
          throw e;
        }
      }
      throw new MissingFileError(name, `file not found (looked in ${where})`, MISSING_HINT);
    },
  };
}

export function dataSource(spec: DataSpec): DataSource {
  const served = urlSource(spec.baseUrl);
  return spec.files.length ? layeredSource([fileListSource(spec.files), served]) : served;
}

/** The dropped folder's files (or the zip's entries) as a source. */
export async function droppedFolderSource(folder: DroppedFolder): Promise<DataSource> {
  if (folder.kind === 'zip') return zipSource(new Uint8Array(await folder.file.arrayBuffer()), folder.file.name);
  return pathFileSource(folder.files, `the dropped folder ${folder.name}`);
}

/** An IDX or image-folder dataset from a dropped folder or zip, its pictures decoded here (createImageBitmap). */
export async function openDroppedFolder(
  dataset: FolderDatasetKind,
  folder: DroppedFolder | null | undefined,
  onProgress?: (p: LoadProgress) => void,
): Promise<RunData> {
  if (!folder)
    throw new DatasetError(
      dataset === 'idx' ? 'the IDX dataset' : 'your pictures',
      'are not here: nothing was dropped on the page',
      dataset === 'idx'
        ? 'Drop the folder of its four IDX files (or the files, or a zip) on "Data".'
        : 'Drop a folder (or a zip) with one sub-folder of pictures per class on "Data".',
    );
  return openRunData(dataset, await droppedFolderSource(folder), {
    label: folder.name,
    decoder: browserImageDecoder,
    onProgress,
  });
}

/** Opens a dropped folder as its dataset once, so a broken one is refused before any run uses it. */
export async function checkFolder(
  dataset: FolderDatasetKind,
  folder: DroppedFolder,
): Promise<Extract<WorkerEvent, { type: 'folder-checked' }>> {
  try {
    const data = summariseData(await openDroppedFolder(dataset, folder));
    const grey = data.channels === 1 ? 'grey' : 'colour';
    const classes = data.classNames.length;
    const shown = data.classNames.slice(0, 8).join(', ') + (classes > 8 ? ', …' : '');
    const items = dataset === 'images' ? 'pictures' : 'images';
    return {
      type: 'folder-checked',
      ok: true,
      message: `${data.name}: ${classes} classes (${shown}), ${data.trainImages} training and ${data.testImages} test ${items}, ${data.height}×${data.width} ${grey}`,
      data,
    };
  } catch (e) {
    return { type: 'folder-checked', ok: false, message: (e as Error).message };
  }
}

/** Reads and parses one dropped file, so a broken one is refused before any run uses it. */
export async function checkFile(
  dataset: RegisteredName,
  file: { name: string; size?: number; arrayBuffer(): Promise<ArrayBuffer> },
): Promise<FileCheck> {
  const name = basename(file.name);
  const m = registeredDataset(dataset);
  const std = standardFileFor(dataset, name);
  if (!std) {
    return {
      name,
      ok: false,
      message: `${name} is not one of the standard ${m.title} files (${standardFileNames(dataset).join(', ')}); check the name and the chosen dataset`,
    };
  }
  // Reading a file far larger than any standard one would only use up the Worker's memory.
  if ((file.size ?? 0) > MAX_GUNZIPPED_BYTES)
    return {
      name,
      ok: false,
      message: `${name}: is ${Math.round(file.size! / 2 ** 20)} MB, far more than the standard file; check the name and the chosen dataset`,
    };
  try {
    const bytes = await maybeGunzip(new Uint8Array(await file.arrayBuffer()), name);
    if (m.format === 'idx') {
      const expected = std.split === 'extra' ? 0 : m.splits[std.split].count;
      if (std.index === 0) {
        const images = parseIdxImages(bytes, name, { rows: m.height, cols: m.width, dataset: m.title });
        if (images.count !== expected)
          return {
            name,
            ok: false,
            message: `${name}: has ${images.count} images (expected ${expected} for the standard ${std.split} split)`,
          };
        return {
          name,
          ok: true,
          message: `${name}: ${m.title} ${std.split} images, ${images.count} × ${images.rows}×${images.cols}`,
        };
      }
      const labels = parseIdxLabels(bytes, name, m.classNames.length);
      if (labels.length !== expected)
        return {
          name,
          ok: false,
          message: `${name}: has ${labels.length} labels (expected ${expected} for the standard ${std.split} split)`,
        };
      return { name, ok: true, message: `${name}: ${m.title} ${std.split} labels, ${labels.length}` };
    }
    if (std.split === 'extra') {
      const names = parseCifarMeta(bytes, name);
      return { name, ok: true, message: `${name}: CIFAR-10 class names (${names.join(', ')})` };
    }
    const records = checkCifarBatch(bytes, name);
    return { name, ok: true, message: `${name}: CIFAR-10 ${std.split} batch, ${records} images` };
  } catch (e) {
    return { name, ok: false, message: (e as Error).message };
  }
}
