/**
 * Where a run starts: the ancestor (or its own last generation) from a shipped file or this
 * browser's storage, checked against the run and adapted to its mode.
 */
import { parseCheckpoint, parseJsonText } from '../experiment/artefacts';
import type { RunConfig } from '../experiment/config';
import type { Checkpoint } from '../experiment/records';
import { withClusterStrengths } from '../experiment/kernel-masks';
import type { AncestorSource, ErrorKind } from './protocol';
import type { RunControllerDeps } from './run-controller';

/** The checkpoint to start from, adapted to this run (a shared ancestor was trained under another run's mode). */
export async function startingCheckpoint(
  source: AncestorSource,
  config: RunConfig,
  deps: Pick<RunControllerDeps, 'post' | 'fetch' | 'storage'>,
): Promise<Checkpoint | null> {
  if (source.kind === 'train' || source.kind === 'wait') return null;
  let checkpoint: Checkpoint;
  if (source.kind === 'url') {
    deps.post({ type: 'stage', stage: 'ancestor', message: `Loading the shipped ancestor ${source.url}` });
    const res = await deps.fetch(source.url);
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok || type.includes('text/html'))
      throw ancestorError(
        `the shipped ancestor ${source.url} is not there (HTTP ${res.status}); choose "train in the page"`,
      );
    try {
      checkpoint = parseCheckpoint(parseJsonText(await res.text(), source.url), { name: source.url });
    } catch (e) {
      throw ancestorError(`the shipped ancestor ${source.url} cannot be read: ${describe(e)}`);
    }
  } else {
    const stored = await deps.storage.get<unknown>('checkpoints', source.key);
    if (!stored)
      throw ancestorError(
        `no stored checkpoint ${source.key}: it was deleted or never written; reset the lab and start again`,
      );
    // Through the artefact gate: a damaged checkpoint is named, with its field, before anything uses it.
    try {
      checkpoint = parseCheckpoint(stored, { name: `the stored checkpoint ${source.key}` });
    } catch (e) {
      throw ancestorError(
        `${describe(e)}. This run cannot continue from it: export its results, then reset the lab and start again`,
      );
    }
  }
  if (checkpoint.config.dataset !== config.dataset)
    throw ancestorError(
      `the ancestor was trained on ${checkpoint.config.dataset}, but this run uses ${config.dataset}`,
    );
  // Older checkpoints (the shipped ancestors) lack what the page's mating view draws.
  checkpoint = withClusterStrengths(checkpoint);
  if (checkpoint.config.mode === config.mode) return checkpoint;
  // Generation 1 is the same network whatever the mode; only the label of its record differs.
  if (checkpoint.generation !== 1)
    throw ancestorError(
      `checkpoint ${'key' in source ? source.key : ''} is of a ${checkpoint.config.mode} run at generation ${checkpoint.generation}, not an ancestor`,
    );
  return { ...checkpoint, config, records: checkpoint.records.map((r) => ({ ...r, mode: config.mode })) };
}

function ancestorError(message: string) {
  return Object.assign(new Error(message), { kind: 'ancestor' as ErrorKind });
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
