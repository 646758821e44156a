/**
 * Thins the runner's per-batch progress to a bounded message rate, so the page's main thread is
 * never flooded, while keeping every batch's loss (sent in bulk with the next message).
 */
import type { LossPoint, ProgressEvent } from './protocol';

export class ProgressThrottle {
  private last = -Infinity;
  private lastKey = '';
  private losses: LossPoint[] = [];

  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Returns what to send now, or null to hold this event back. */
  offer(event: ProgressEvent): { event: ProgressEvent; losses: LossPoint[] } | null {
    if (event.phase === 'train' && event.loss !== null && event.batches > 0) {
      this.losses.push({ x: event.epoch - 1 + event.batch / event.batches, loss: event.loss });
    }
    // Always pass a change of network or phase, and the end of an epoch: the page shows those.
    const key = `${event.generation}/${event.individual}/${event.phase}`;
    const boundary = key !== this.lastKey || (event.phase === 'train' && event.batch === event.batches);
    const t = this.now();
    if (!boundary && t - this.last < this.minIntervalMs) return null;
    this.last = t;
    this.lastKey = key;
    const losses = this.losses;
    this.losses = [];
    return { event, losses };
  }
}
