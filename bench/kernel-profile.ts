/**
 * Per-kernel self time on a synchronous backend (wasm, cpu): every registered kernel of the
 * backend is wrapped in a timer. Nested calls (our composite wasm kernels run other wasm
 * kernels) are charged to the innermost kernel, so the times add up to the time spent in kernels.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelStat {
  kernel: string;
  calls: number;
  ms: number;
}

const OURS = Symbol.for('evolab.wasmKernel');

export class KernelProfiler {
  private readonly stats = new Map<string, { calls: number; ms: number }>();
  private readonly originals: tf.KernelConfig[] = [];
  /** Time already charged to children of each open kernel call. */
  private readonly childMs: number[] = [];
  private readonly names: string[] = [];

  /** `byShape`: also key each entry by its input shapes (to tell the layers apart). */
  constructor(
    private readonly backend: string,
    private readonly byShape = false,
  ) {}

  install(): this {
    for (const k of tf.getKernelsForBackend(this.backend)) {
      const original = k.kernelFunc;
      const timed = ((args: Parameters<tf.KernelFunc>[0]) => {
        this.childMs.push(0);
        // A kernel run inside one of our composite kernels is listed as 'Outer>Inner'.
        let name = this.names.length ? `${this.names[this.names.length - 1]}>${k.kernelName}` : k.kernelName;
        if (this.byShape)
          name += ` ${Object.values(args.inputs)
            .flatMap((t) => (t ? [`[${t.shape}]`] : []))
            .join('')}`;
        this.names.push(k.kernelName);
        const t0 = performance.now();
        try {
          return original(args);
        } finally {
          const total = performance.now() - t0;
          const children = this.childMs.pop()!;
          this.names.pop();
          if (this.childMs.length) this.childMs[this.childMs.length - 1] += total;
          const s = this.stats.get(name) ?? { calls: 0, ms: 0 };
          s.calls++;
          s.ms += total - children;
          this.stats.set(name, s);
        }
      }) as tf.KernelFunc;
      if ((original as unknown as Record<symbol, unknown>)[OURS])
        (timed as unknown as Record<symbol, unknown>)[OURS] = true;
      this.originals.push(k);
      tf.unregisterKernel(k.kernelName, this.backend);
      tf.registerKernel({ ...k, kernelFunc: timed });
    }
    return this;
  }

  reset(): void {
    this.stats.clear();
  }

  uninstall(): void {
    for (const k of this.originals) {
      tf.unregisterKernel(k.kernelName, this.backend);
      tf.registerKernel(k);
    }
    this.originals.length = 0;
  }

  /** Kernels by descending self time; `per` divides calls and times (e.g. per training step). */
  table(per = 1): KernelStat[] {
    return [...this.stats.entries()]
      .map(([kernel, s]) => ({ kernel, calls: s.calls / per, ms: s.ms / per }))
      .sort((a, b) => b.ms - a.ms);
  }

  totalMs(per = 1): number {
    return this.table(per).reduce((a, s) => a + s.ms, 0);
  }
}
