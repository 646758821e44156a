/**
 * A run Worker's side of CPU turn-taking (app/cpu.ts has the page's): when it shares, it trains
 * only within a time slice the page granted, asking for the next one between batches. A paused
 * run holds no slice: another run may be stepping one generation on, and must not wait for it.
 */
import type { WorkerEvent } from './protocol';

export class CpuShare {
  private sharing = false;
  private sliceEnd = 0;
  /** The page counts this Worker among the slot holders (granted, not yet given back or re-asked). */
  private holding = false;
  private paused = false;
  private granted: (() => void) | null = null;
  private resumed: (() => void) | null = null;

  constructor(
    private readonly post: (event: WorkerEvent) => void,
    private readonly now: () => number,
    private readonly macrotask: () => Promise<void>,
  ) {}

  /** Take turns from now on (the start command's `shareCpu`). */
  share(on: boolean): void {
    this.sharing = on;
  }

  /** The page's `grant`: train for `sliceMs`. */
  grant(sliceMs: number): void {
    this.sliceEnd = this.now() + sliceMs;
    this.holding = true;
    this.granted?.();
    this.granted = null;
  }

  /** Waits for a time slice (start-up work such as gunzipping the data counts too). */
  async acquire(): Promise<void> {
    if (!this.sharing) return;
    this.holding = false;
    this.post({ type: 'cpu-wanted' });
    await new Promise<void>((resolve) => (this.granted = resolve));
  }

  /** Gives the slot back before idling, so that waiting here never blocks the others. */
  release(): void {
    if (!this.sharing) return;
    this.sliceEnd = 0;
    this.holding = false;
    this.post({ type: 'cpu-released' });
  }

  /** The run paused: its slot goes back to the page until it resumes. */
  pause(): void {
    this.paused = true;
    if (this.holding) this.release();
  }

  resume(): void {
    this.paused = false;
    this.resumed?.();
    this.resumed = null;
  }

  /** Between batches: lets queued commands run, then waits for a slice when this one is used up. */
  readonly yieldToHost = async (): Promise<void> => {
    await this.macrotask();
    if (!this.sharing) return;
    for (;;) {
      if (this.paused) await new Promise<void>((resolve) => (this.resumed = resolve));
      if (this.now() < this.sliceEnd) return;
      await this.acquire();
      if (!this.paused) return;
      // Granted while paused: hand the slot straight back and wait for the resume.
      this.release();
    }
  };
}
