/**
 * Turn-taking of run Workers on the CPU. Training saturates a core per Worker; on a 2-core
 * machine two Workers would starve the page's main thread (long tasks, a frozen UI). So at most
 * `slots` Workers train at once (cores − 1, at least 1) and the others wait; a Worker gives its
 * slot back after a time slice, so side-by-side runs still advance together.
 */
export class CpuTurns {
  private readonly holders = new Set<string>();
  private queue: string[] = [];

  constructor(readonly slots: number) {}

  /** `id` needs the CPU (or finished its slice). Returns the ids to grant a slice to now. */
  want(id: string): string[] {
    this.holders.delete(id);
    if (!this.queue.includes(id)) this.queue.push(id);
    return this.grant();
  }

  /** `id` stopped (finished, failed, terminated): frees its slot. */
  forget(id: string): string[] {
    this.holders.delete(id);
    this.queue = this.queue.filter((x) => x !== id);
    return this.grant();
  }

  isWaiting(id: string): boolean {
    return this.queue.includes(id);
  }

  private grant(): string[] {
    const granted: string[] = [];
    while (this.holders.size < this.slots && this.queue.length) {
      const id = this.queue.shift()!;
      this.holders.add(id);
      granted.push(id);
    }
    return granted;
  }
}

/** Cores that may train at once: all but one, which stays with the page. */
export function trainingSlots(hardwareConcurrency: number | undefined): number {
  return Math.max(1, (hardwareConcurrency || 2) - 1);
}

/**
 * Helper Workers per run (data-parallel training on more cores): only where every run of the
 * comparison can have its own cores beside the page's, e.g. 8 cores and 2 runs → 2 helpers each.
 */
export function peersPerRun(slots: number, runs: number): number {
  return Math.max(0, Math.floor(slots / Math.max(1, runs)) - 1);
}

/** `?peers=N` in the page's address forces N helpers per run (to try it on few cores); null if absent or not a count. */
export function peersOverride(search: string): number | null {
  const v = new URLSearchParams(search).get('peers');
  if (v === null || !/^\d+$/.test(v)) return null;
  return Math.min(Number(v), 16);
}
