/**
 * "Open a run": files the person picks or drops (a run.json of `npm run evolve`, the lab's JSON
 * exports of one run or of the comparison, a saved session's export) and the recorded runs the
 * site ships (/recorded/index.json). Every document goes through the artefact gate; a bad file
 * gets one message naming the file and the field, and changes nothing else on the page. What
 * opens, opens in replay.
 */
import { ArtefactError, ARTEFACTS, parseImport, parseJsonText } from '../../experiment/artefacts';
import { parseRecordedIndex, RECORDED_INDEX_URL, type RecordedEntry } from '../../experiment/recorded-index';
import { reportOf } from '../export';
import { importedRuns, replaySource, type ReplayRunInput } from '../replay';
import { parseStoredSession } from '../stored-session';
import type { LabDeps, Notify } from './ports';
import type { ReplayController } from './replay';

/** A run export is a few hundred kB; anything this large is something else. */
export const MAX_RUN_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Whether a file given to the page is a run to open rather than a dataset file: JSON text (its
 * first character, after a byte-order mark and white space, opens an object or a list), or a file
 * named .json. Dataset files are gzip, IDX or CIFAR binaries, none of which starts so.
 */
export function looksLikeRunFile(name: string, head: Uint8Array): boolean {
  if (/\.json$/i.test(name)) return true;
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && [0x20, 0x09, 0x0a, 0x0d].includes(head[i])) i++;
  return head[i] === 0x7b || head[i] === 0x5b; // { or [
}

/** Splits files given to the page into runs to open and dataset files, by their content. */
export async function sortDroppedFiles(files: readonly File[]): Promise<{ runs: File[]; data: File[] }> {
  const runs: File[] = [];
  const data: File[] = [];
  for (const f of files) {
    const head = new Uint8Array(await f.slice(0, 64).arrayBuffer());
    (looksLikeRunFile(f.name, head) ? runs : data).push(f);
  }
  return { runs, data };
}

const isSessionDocument = (json: unknown): boolean => {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return false;
  const doc = json as Record<string, unknown>;
  return doc.format === undefined ? 'setup' in doc && Array.isArray(doc.runs) : doc.format === ARTEFACTS.session.format;
};

/** The runs of one file's text, through the gate; an ArtefactError names the file and the field. */
export function runsOfText(text: string, name: string): ReplayRunInput[] {
  const json = parseJsonText(text, name);
  if (isSessionDocument(json)) {
    let session;
    try {
      session = parseStoredSession(json, name);
    } catch (e) {
      // The gate names it "the saved session <name>"; the person knows it as a file.
      if (e instanceof ArtefactError) throw new ArtefactError(name, e.field, e.problem, e.hint);
      throw e;
    }
    const runs = session.runs.filter((r) => r.records.length);
    if (!runs.length) throw new ArtefactError(name, 'runs', 'hold no finished generation: there is nothing to replay');
    return runs.map((r) => ({ report: reportOf(r), label: r.label, colour: r.colour }));
  }
  return importedRuns(parseImport(json, { name }));
}

const isPage = (res: Response) => (res.headers.get('content-type') ?? '').includes('text/html');

type Deps = Pick<LabDeps, 'store' | 'fetch'> & { notify: Notify; replay: ReplayController };

export function createOpenRun({ store, fetch, replay }: Deps) {
  const { getState: get, setState: set } = store;
  const panel = (panel: 'open' | null) => set((s) => ({ view: { ...s.view, panel } }));

  async function readFile(file: File): Promise<ReplayRunInput[]> {
    if (file.size > MAX_RUN_FILE_BYTES)
      throw new ArtefactError(
        file.name,
        '',
        `is ${(file.size / 1e6).toFixed(0)} MB: too large for a run export (at most ${MAX_RUN_FILE_BYTES / 1e6} MB)`,
        'Is this the right file?',
      );
    return runsOfText(await file.text(), file.name);
  }

  async function fetchText(url: string, name: string): Promise<string> {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new ArtefactError(name, '', `could not be fetched: ${(e as Error).message}`);
    }
    if (!res.ok || isPage(res))
      throw new ArtefactError(
        name,
        '',
        `is not served by this site (${res.ok ? 'no such file' : `HTTP ${res.status}`})`,
      );
    return res.text();
  }

  async function loadIndex(): Promise<RecordedEntry[]> {
    const { recorded } = get();
    if (recorded.status === 'ready') return recorded.entries;
    set({ recorded: { ...recorded, status: 'loading' } });
    try {
      const text = await fetchText(RECORDED_INDEX_URL, 'recorded/index.json');
      const { recorded: entries } = parseRecordedIndex(parseJsonText(text, 'recorded/index.json'), {
        name: 'recorded/index.json',
      });
      set({ recorded: { status: 'ready', entries, error: null } });
      return entries;
    } catch (e) {
      set({ recorded: { status: 'failed', entries: [], error: (e as Error).message } });
      return [];
    }
  }

  return {
    /** The recorded runs this site ships (once; a failure is kept as the list's message). */
    loadRecordedIndex: loadIndex,

    /**
     * Opens files in replay, side by side: those that pass the gate; each one that does not gets
     * its message in the Open a run panel, and the page is left as it was.
     */
    async openFiles(files: readonly File[]): Promise<boolean> {
      if (!files.length) return false;
      const inputs: ReplayRunInput[] = [];
      const problems: string[] = [];
      const opened: string[] = [];
      for (const file of files) {
        try {
          inputs.push(...(await readFile(file)));
          opened.push(file.name);
        } catch (e) {
          problems.push(e instanceof ArtefactError ? e.message : `${file.name}: ${(e as Error).message}`);
        }
      }
      let ok = false;
      if (inputs.length) {
        try {
          const source = replaySource(opened.join(', '), { kind: 'file', names: opened }, inputs);
          ok = replay.open(source);
        } catch (e) {
          problems.push(`${opened.join(', ')}: ${(e as Error).message}`);
        }
      }
      set({ openProblems: problems });
      panel(problems.length || !ok ? 'open' : null);
      return ok;
    },

    /** Replays one of the recorded comparisons the site ships, by its id in the index. */
    async openRecorded(id: string): Promise<boolean> {
      const entries = await loadIndex();
      const entry = entries.find((e) => e.id === id);
      if (!entry) {
        const error = get().recorded.error;
        set({ openProblems: [error ?? `There is no recorded run "${id}" on this site.`] });
        panel('open');
        return false;
      }
      const inputs: ReplayRunInput[] = [];
      try {
        for (const file of entry.files) {
          const name = `recorded/${file}`;
          inputs.push(...runsOfText(await fetchText(`/recorded/${file}`, name), name));
        }
        const ok = replay.open(replaySource(entry.name, { kind: 'recorded', id: entry.id }, inputs));
        set({ openProblems: [] });
        if (ok) panel(null);
        return ok;
      } catch (e) {
        set({ openProblems: [(e as Error).message] });
        panel('open');
        return false;
      }
    },
  };
}
