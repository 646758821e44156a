/** Rendering helpers that keep main-thread tasks short while Workers train. */
import { startTransition, useEffect, useRef, useState } from 'react';

/**
 * Follows `value` after `delayMs`, in a transition (an interruptible, time-sliced render). Giving
 * each chart its own delay spreads a generation's redraw over several short tasks instead of one
 * long one; `minIntervalMs` also caps how often a fast-changing value (the loss) redraws. The
 * deadline is set by the first change not yet shown, so a stream of changes cannot starve it.
 */
export function useStaggered<T>(value: T, delayMs: number, minIntervalMs = 0): T {
  const [shown, setShown] = useState(value);
  const last = useRef(-Infinity);
  const due = useRef<number | null>(null);
  useEffect(() => {
    if (Object.is(value, shown)) {
      due.current = null;
      return;
    }
    const now = performance.now();
    due.current ??= Math.max(now + delayMs, last.current + minIntervalMs);
    const timer = setTimeout(
      () => {
        last.current = performance.now();
        due.current = null;
        // The effect reruns (and clears this timer) whenever `value` changes, so this is the newest.
        startTransition(() => setShown(value));
      },
      Math.max(0, due.current - now),
    );
    return () => clearTimeout(timer);
  }, [value, shown, delayMs, minIntervalMs]);
  return shown;
}

/** False at first, true `delayMs` later (in a transition): staggers the first drawing of heavy parts. */
export function useAfter(delayMs: number): boolean {
  const [done, setDone] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => startTransition(() => setDone(true)), delayMs);
    return () => clearTimeout(timer);
  }, [delayMs]);
  return done;
}
