/**
 * Ctrl-C (SIGINT), SIGTERM and SIGHUP while a run goes, handled for as long as it goes:
 *   1st: finish the generation in progress, write its files, stop (it can be resumed);
 *   2nd: say that it is already stopping;
 *   3rd: quit as soon as the file being written is complete (the last finished generation stays).
 * A terminal's Ctrl-C under `npm run` arrives twice (from the terminal and forwarded by npm): the
 * copies that follow within DUPLICATE_MS count as one press.
 */
import type { CliIo, StopSignal } from './cli-io';

export const DUPLICATE_MS = 150;

export class StopSignals {
  private presses = 0;
  private lastPress = -Infinity;
  private writing: Promise<unknown> | null = null;
  private readonly stoppers: ((signal: StopSignal) => void)[] = [];
  private readonly detach: () => void;
  private firstSignal: StopSignal | null = null;

  constructor(
    private readonly io: Pick<CliIo, 'stderr' | 'exit' | 'now' | 'onSignal'>,
    /** What the messages call the unit of work that is finished before stopping. */
    private readonly words = { unit: 'this generation' },
  ) {
    this.detach = io.onSignal((s) => this.press(s));
  }

  /** The first signal, once one came: the exit status of a stopped run is 128 + its number. */
  get stopped(): StopSignal | null {
    return this.firstSignal;
  }

  /** Called on the first press (at once if it already came). */
  onStop(stop: (signal: StopSignal) => void): void {
    this.stoppers.push(stop);
    if (this.firstSignal) stop(this.firstSignal);
  }

  /** Runs a write that a third press waits for. */
  async write<T>(work: () => Promise<T>): Promise<T> {
    const p = work();
    this.writing = p;
    try {
      return await p;
    } finally {
      if (this.writing === p) this.writing = null;
    }
  }

  dispose(): void {
    this.detach();
  }

  private press(signal: StopSignal): void {
    const now = this.io.now();
    if (now - this.lastPress < DUPLICATE_MS) return;
    this.lastPress = now;
    this.presses++;
    if (this.presses === 1) {
      this.firstSignal = signal;
      this.io.stderr(
        `\n${signal}: stopping after ${this.words.unit}, which is then saved (press Ctrl-C twice more to quit at once)…\n`,
      );
      for (const stop of this.stoppers) stop(signal);
    } else if (this.presses === 2) {
      this.io.stderr(
        `already stopping after ${this.words.unit}; press Ctrl-C once more to quit now (the last finished generation is kept)\n`,
      );
    } else if (this.presses === 3) {
      const code = 128 + (SIGNAL_NUMBERS[this.firstSignal ?? signal] ?? 2);
      const writing = this.writing;
      if (!writing) {
        this.io.stderr('quitting now: the last finished generation is kept\n');
        this.io.exit(code);
        return;
      }
      this.io.stderr('quitting as soon as the file being written is complete…\n');
      void writing.then(
        () => this.io.exit(code),
        () => this.io.exit(code),
      );
    }
  }
}

export const SIGNAL_NUMBERS: Record<StopSignal, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
