import { describe, expect, it } from 'vitest';
import { ProgressThrottle } from './throttle';
import type { ProgressEvent } from './protocol';

describe('progress throttle', () => {
  const ev = (batch: number, extra: Partial<ProgressEvent> = {}): ProgressEvent => ({
    type: 'progress',
    generation: 2,
    generations: 3,
    individual: 0,
    population: 1,
    phase: 'train',
    epoch: 1,
    epochs: 1,
    batch,
    batches: 100,
    loss: batch,
    ...extra,
  });
  it('sends at a bounded rate but keeps every loss', () => {
    let t = 0;
    const th = new ProgressThrottle(100, () => t);
    const sent = [];
    for (let b = 1; b <= 100; b++) {
      t += 10;
      const out = th.offer(ev(b));
      if (out) sent.push(out);
    }
    expect(sent.length).toBeLessThanOrEqual(12);
    expect(sent.flatMap((s) => s.losses)).toHaveLength(100); // the last batch of an epoch always goes
    expect(th.offer(ev(0, { phase: 'evaluate', loss: null }))).not.toBeNull(); // a phase change always goes
  });
});
