/**
 * What the headless runner talks to: its output streams, the signals that stop it, the cores and
 * the way out. `processIo()` is the real process; tests pass their own, so that `evolve(argv, io)`
 * runs in-process and returns its exit code instead of exiting.
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from '../experiment/config';
import { ArtefactError } from '../experiment/artefact-reader';
import { UsageError } from './flags';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress then rewrites one line). */
  readonly isTTY: boolean;
  readonly cores: number;
  /** Listens for a stop signal until the returned function is called. */
  onSignal(listener: (signal: StopSignal) => void): () => void;
  /** Ends the process at once (the third Ctrl-C); a test's io records the code instead. */
  exit(code: number): void;
  /** Milliseconds on a monotonic clock. */
  now(): number;
}

export function processIo(): CliIo {
  // A closed terminal or a parent that went away must not crash a run that is writing its files.
  const ignore = () => {};
  process.stdout.on('error', ignore);
  process.stderr.on('error', ignore);
  const write = (stream: NodeJS.WriteStream) => (text: string) => {
    try {
      stream.write(text);
    } catch {
      /* the reader is gone; the run goes on */
    }
  };
  return {
    stdout: write(process.stdout),
    stderr: write(process.stderr),
    isTTY: !!process.stderr.isTTY,
    cores: availableParallelism(),
    onSignal(listener) {
      for (const s of STOP_SIGNALS) process.on(s, listener);
      return () => {
        for (const s of STOP_SIGNALS) process.off(s, listener);
      };
    },
    exit: (code) => process.exit(code),
    now: () => performance.now(),
  };
}

/** A problem the person can fix from what the message says: exit status 2, no stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

const HELP_POINTER = 'see npm run evolve -- --help';

/** An error as one line of stderr and the exit status: 2 for what the person can fix, 1 for a bug. */
export function describeError(error: unknown): { line: string; code: number } {
  const e = error as Error;
  const known =
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof ArtefactError ||
    error instanceof CliError ||
    e?.name === 'DatasetError' ||
    e?.name === 'MissingFileError';
  if (!known) {
    const stack = e instanceof Error && e.stack ? e.stack : String(error);
    return { line: `error: unexpected failure (a bug in EvoLab, please report it): ${stack}\n`, code: 1 };
  }
  const message =
    error instanceof ConfigError
      ? `invalid run configuration: ${error.problems.join('; ')}`
      : e.message.replace(/\s*\n\s*/g, ' ');
  return { line: `error: ${message.replace(/\.$/, '')} (${HELP_POINTER})\n`, code: 2 };
}
