/** The zustand store the components render from. Actions that talk to Workers live in lab.ts. */
import { create } from 'zustand';
import type { RecordedEntry } from '../experiment/recorded-index';
import type { ReproducedCurves } from '../experiment/summary';
import type { DataSummary, RegisteredName } from '../experiment/datasets';
import type { AncestorMeta, DroppedFolder, ExportSummary, FileCheck } from '../worker/protocol';
import type { XAxisKind } from './compute-axis';
import type { ReplayState } from './replay';
import type { RunState } from './state';
import { defaultSetup, type LabSetup } from './setup';

export interface DataState {
  /** Whether the standard files are served under /data/<dataset>/. */
  served: 'checking' | 'present' | 'missing';
  /** Standard files not served. */
  notServed: string[];
  /** Standard files that are neither served nor dropped. */
  missing: string[];
  /** Dropped files that passed the check; they take precedence over served ones. */
  dropped: File[];
  /** The outcome of checking each dropped file, newest first. */
  checks: FileCheck[];
  checking: boolean;
  /** Which registered datasets the site serves in full (checked once at start; absent: not known yet). */
  available: Partial<Record<RegisteredName, boolean>>;
  /** The dropped folder or zip of an IDX or image-folder dataset, once it opened as a dataset. */
  folder: DroppedFolder | null;
  /** What the last dropped folder was found to be, or what is wrong with it. */
  folderCheck: { ok: boolean; message: string; data?: DataSummary } | null;
}

/** A network exported from the lab (a run's card): working, its files to download, or why it failed. */
export interface ModelExport {
  status: 'working' | 'done' | 'failed';
  generation: number;
  individual: number;
  /** Object URLs of model.json and its weights (revoked on the next export or a reset). */
  files: { name: string; url: string; bytes: number }[];
  summary: ExportSummary | null;
  message: string | null;
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface ViewState {
  /** Generation shown in the heatmaps; null follows the newest. */
  generation: number | null;
  /** Network shown per run in the heatmaps (sexual runs have several per generation). */
  individual: Record<string, number>;
  tables: Record<string, boolean>;
  paper: boolean;
  /** Overlay our reproduction runs (seed means from /reproduced.json) on the charts. */
  reproduced: boolean;
  /** The reproduction experiment overlaid, by name; null = the dataset's default one. */
  reproducedExperiment: string | null;
  /** The charts' x-axis: generations, or the training work done (a fair comparison of runs). */
  xAxis: XAxisKind;
  /** Presenter mode (`?present=1`): large type, one chart per row, big heatmaps, no advanced settings. */
  present: boolean;
  /** The header's tool panel that is open: "Open a run…" or "Saved sessions". */
  panel: 'open' | 'saved' | null;
}

/** One saved session as the Saved sessions list shows it. */
export interface SessionSummary {
  id: string;
  /** The name the person gave it, or null. */
  name: string | null;
  /** ISO time of its last save ('' when unknown). */
  savedAt: string;
  dataset: string | null;
  /** The newest generation any of its runs finished. */
  generations: number;
  runs: string[];
  /** What it takes in IndexedDB (the session and its checkpoints), about; null until measured. */
  bytes: number | null;
  /** Why it cannot be opened (the artefact gate's message), or null. */
  problem: string | null;
}

export interface SavedSessionsState {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  sessions: SessionSummary[];
  /** navigator.storage.estimate(), where the browser has it. */
  usage: { used: number; quota: number } | null;
  error: string | null;
}

export interface LabState {
  setup: LabSetup;
  sessionId: string | null;
  runs: RunState[];
  ancestorStored: boolean;
  shippedAncestor: 'unknown' | 'present' | 'absent';
  /** What the shipped ancestor is, when its .meta.json is there. */
  shippedMeta: AncestorMeta | null;
  /** Our reproduction runs' seed means (/reproduced.json), when the site serves them. */
  reproduced: ReproducedCurves | null;
  /** Whether /reproduced.json was asked for and answered (or failed): until then its controls keep their place. */
  reproducedSettled: boolean;
  data: DataState;
  view: ViewState;
  notices: Notice[];
  /** True while a saved session is being read back after a reload. */
  restoring: boolean;
  /** The person paused the runs (Workers still starting pause as soon as they can). */
  paused: boolean;
  /** Exported models, by run id. */
  exports: Record<string, ModelExport>;
  /** The saved session the link names could not be read (it is kept, untouched, until deleted). */
  damagedSession: { id: string; problem: string } | null;
  /** The name the person gave this session (Saved sessions › Rename), or null. */
  sessionName: string | null;
  /** Replaying finished runs: `runs` are then the replayed runs up to `replay.generation`. */
  replay: ReplayState | null;
  /** What went wrong with the files last given to "Open a run" (one message per file). */
  openProblems: string[];
  saved: SavedSessionsState;
  /** The recorded comparisons the site ships (/recorded/index.json), read when first asked for. */
  recorded: { status: 'idle' | 'loading' | 'ready' | 'failed'; entries: RecordedEntry[]; error: string | null };
}

export const initialState = (): LabState => ({
  setup: defaultSetup(),
  sessionId: null,
  runs: [],
  ancestorStored: false,
  shippedAncestor: 'unknown',
  shippedMeta: null,
  reproduced: null,
  reproducedSettled: false,
  data: {
    served: 'checking',
    notServed: [],
    missing: [],
    dropped: [],
    checks: [],
    checking: false,
    available: {},
    folder: null,
    folderCheck: null,
  },
  view: {
    generation: null,
    individual: {},
    tables: {},
    paper: true,
    reproduced: false,
    reproducedExperiment: null,
    xAxis: 'generation',
    present: false,
    panel: null,
  },
  notices: [],
  restoring: true,
  paused: false,
  exports: {},
  damagedSession: null,
  sessionName: null,
  replay: null,
  openProblems: [],
  saved: { status: 'idle', sessions: [], usage: null, error: null },
  recorded: { status: 'idle', entries: [], error: null },
});

export const useLab = create<LabState>()(() => initialState());
