/**
 * The index of recorded runs the lab ships for replay: `public/recorded/index.json`, served as
 * `/recorded/index.json`. Each entry is one comparison to replay (no training): a name, one line
 * saying what it shows, its dataset, its generations, where its numbers come from, and its files,
 * each an EvoLab run report (run.json) or a comparison export, relative to the index. Written by
 * `npm run recorded` (src/cli/recorded.ts), read by the lab through the artefact gate. Pure.
 *
 *   { "format": "evolab-recorded-index", "version": 1,
 *     "recorded": [{ "id": "mnist-10pct-defaults-seed1", "name": "…", "description": "…",
 *                    "dataset": "mnist", "generations": 13, "source": "results/…",
 *                    "files": ["mnist-10pct-defaults-seed1/asexual.json", "…/sexual.json"] }] }
 */
import { openArtefact, Reader, stamped } from './artefacts';
import type { DatasetName } from './config';

/** Where the lab finds the index (the site's root is public/). */
export const RECORDED_INDEX_URL = '/recorded/index.json';
/** Where `npm run recorded` writes the index and the runs, from the repository's root. */
export const RECORDED_DIR = 'public/recorded';

export interface RecordedEntry {
  /** Stable and URL-safe: the lab's `?replay=<id>` link names it. */
  id: string;
  name: string;
  /** One line: what the class sees. */
  description: string;
  dataset: DatasetName;
  generations: number;
  /** Where the numbers come from (the results folder, the command). */
  source: string;
  /** Run reports or comparison exports, relative to the index; their runs replay side by side. */
  files: string[];
}

export interface RecordedIndex {
  recorded: RecordedEntry[];
}

export const RECORDED_ID = /^[a-z0-9][a-z0-9._-]{0,79}$/;
const RELATIVE_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[\w.,=@+-]+(?:\/[\w.,=@+-]+)*\.json$/;

export function parseRecordedIndex(json: unknown, { name }: { name: string }): RecordedIndex {
  const doc = openArtefact(json, 'recorded', name);
  const r = new Reader(name);
  const ids = new Set<string>();
  const recorded = r.array(doc.recorded, 'recorded').map((x, i): RecordedEntry => {
    const at = (k: string) => `recorded[${i}].${k}`;
    const o = r.object(x, `recorded[${i}]`);
    const id = r.string(o.id, at('id'), { nonEmpty: true, max: 80 });
    if (!RECORDED_ID.test(id)) r.fail(at('id'), `is ${JSON.stringify(id)}: use lower-case letters, digits, . _ -`);
    if (ids.has(id)) r.fail(at('id'), `repeats ${id}`);
    ids.add(id);
    const files = r.array(o.files, at('files'), { min: 1, max: 16 }).map((f, j) => {
      const path = r.string(f, `${at('files')}[${j}]`, { nonEmpty: true, max: 300 });
      if (!RELATIVE_PATH.test(path))
        r.fail(`${at('files')}[${j}]`, `is ${JSON.stringify(path)}: a .json file below the index, without ..`);
      return path;
    });
    return {
      id,
      name: r.string(o.name, at('name'), { nonEmpty: true, max: 120 }),
      description: r.string(o.description, at('description'), { max: 400 }),
      dataset: r.oneOf(o.dataset, at('dataset'), ['mnist', 'cifar10'] as const),
      generations: r.number(o.generations, at('generations'), { integer: true, min: 1, max: 100_000 }),
      source: r.string(o.source, at('source'), { max: 400 }),
      files,
    };
  });
  return { recorded };
}

/** The index to write, with its format and version. */
export const serialiseRecordedIndex = (index: RecordedIndex) => stamped('recorded', index);
