/**
 * The CLI's data: where `--dataset` and `--data-dir` point, opened for a run. A registered
 * dataset is read from a data root (`mnist/`, `fashion-mnist/`… inside) or a folder holding its
 * files directly, else from where a system package puts it (Debian's dataset-fashion-mnist);
 * `--dataset idx` and `--dataset images` read the folder given, named after it in the records.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { registeredDataset } from '../data';
import { nodeImageDecoder } from '../data/node-decoder';
import { folderSource } from '../data/node-source';
import { isFolderKind, type DatasetName } from '../experiment/datasets';
import { openRunData, type RunData } from '../experiment/run-data';
import { UsageError } from './flags';

const FOLDER_HELP: Record<'idx' | 'images', string> = {
  idx: '--dataset idx reads any IDX dataset: give the folder holding its four files (train and test images and labels) with --data-dir DIR',
  images:
    '--dataset images reads your own pictures: give a folder with one sub-folder of PNG or JPEG pictures per class (or train/ and test/ folders holding them) with --data-dir DIR',
};

/** The folder to read `dataset` from: --data-dir, else a system folder that holds it; null when neither. */
export function dataFolder(dataset: DatasetName, dataDir: string | undefined): string | null {
  if (dataDir !== undefined) return dataDir;
  if (isFolderKind(dataset)) return null;
  return registeredDataset(dataset).systemFolders.find((dir) => existsSync(dir)) ?? null;
}

/** dataFolder, or a UsageError saying what to give. */
export function requireDataFolder(dataset: DatasetName, dataDir: string | undefined): string {
  const dir = dataFolder(dataset, dataDir);
  if (dir === null) {
    if (isFolderKind(dataset)) throw new UsageError(FOLDER_HELP[dataset]);
    throw new UsageError('say where the dataset files are: --data-dir DIR (e.g. public/data after npm run data)');
  }
  if (!existsSync(dir)) throw new UsageError(`--data-dir ${dir} does not exist`);
  return dir;
}

/** Opens both splits for a run, with a clear message when no folder is given or the files are wrong. */
export async function loadRunData(
  dataset: DatasetName,
  dataDir: string | undefined,
  log: (line: string) => void = () => {},
): Promise<RunData> {
  const dir = requireDataFolder(dataset, dataDir);
  const source = folderSource(dir);
  const label = isFolderKind(dataset) ? path.basename(path.resolve(dir)) : undefined;
  log(`loading ${label ?? dataset} from ${source.describe()}…`);
  let shown = -1;
  return openRunData(dataset, source, {
    label,
    decoder: nodeImageDecoder,
    onProgress: (p) => {
      // Image folders report per picture; a line per tenth is enough.
      const tenth = Math.floor((10 * p.done) / Math.max(1, p.total));
      if (dataset === 'images' && tenth !== shown) {
        shown = tenth;
        log(`  ${p.done}/${p.total} pictures`);
      }
    },
  });
}
