/**
 * Direct access to tfjs' wasm heap for our kernels: tensors' byte addresses, scratch tensors
 * (and wasm kernels' intermediates) that are freed together, and the SIMD kernels bound to the
 * backend's memory.
 */
import * as tf from '@tensorflow/tfjs';
import { simdKernelsFor, type SimdKernels } from './simd/simd-kernels';

/** The parts of tfjs' BackendWasm used here. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): void;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory; HEAPU8: Uint8Array };
}

/** The wasm backend's registered kernel `name` (ours where we replaced it). */
export function wasmKernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel '${name}' is not registered: import '@tensorflow/tfjs-backend-wasm' first`);
  return k;
}

/** The wasm backend's memory (undefined on other backends). */
export function wasmMemoryOf(backend: tf.KernelBackend): WebAssembly.Memory | undefined {
  const wasm = (backend as unknown as WasmHeapBackend).wasm;
  return wasm?.asm?.memory ?? wasm?.wasmMemory;
}

/** Our SIMD kernels on this wasm backend's memory, or null where they cannot run. */
export function simdKernelsOf(backend: tf.KernelBackend): SimdKernels | null {
  const memory = wasmMemoryOf(backend);
  return memory ? simdKernelsFor(memory) : null;
}

/**
 * Tensors made on the heap for one kernel call: scratch, and the outputs of wasm kernels run
 * through it. finish() frees all but the result; abort() frees all (on error).
 */
export class HeapScratch {
  private readonly backend: WasmHeapBackend;
  private readonly made: tf.TensorInfo[] = [];

  constructor(private readonly kernelBackend: tf.KernelBackend) {
    this.backend = kernelBackend as unknown as WasmHeapBackend;
  }

  alloc(shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
    return this.adopt(this.backend.makeOutput(shape, dtype));
  }

  /** Runs the wasm kernel `name` directly; its output is freed with the rest unless kept. */
  run(name: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>): tf.TensorInfo {
    const out = wasmKernel(name).kernelFunc({
      inputs: inputs as tf.NamedTensorInfoMap,
      backend: this.kernelBackend,
      attrs: attrs as tf.NamedAttrMap,
    }) as tf.TensorInfo;
    return this.adopt(out);
  }

  /** Takes ownership of a tensor made elsewhere. */
  adopt(t: tf.TensorInfo): tf.TensorInfo {
    this.made.push(t);
    return t;
  }

  /** Byte address of a tensor's data. */
  address(t: tf.TensorInfo): number {
    return this.backend.dataIdMap.get(t.dataId).memoryOffset;
  }

  /** Sets every float32 of `t` to `value` (scratch from alloc() is not cleared). */
  fill(t: tf.TensorInfo, value: number): void {
    const at = this.address(t) / 4;
    this.f32().fill(value, at, at + tf.util.sizeFromShape(t.shape));
  }

  /** Views of the whole heap; take them again after any allocation (the heap may grow). */
  f32(): Float32Array {
    return new Float32Array(this.backend.wasm.HEAPU8.buffer);
  }
  i32(): Int32Array {
    return new Int32Array(this.backend.wasm.HEAPU8.buffer);
  }
  u8(): Uint8Array {
    return this.backend.wasm.HEAPU8;
  }

  /**
   * Frees everything made here but `keep` (one tensor or several), and returns it. Compared by
   * dataId, so a kept result that shares its data with an intermediate survives.
   */
  finish<T extends tf.TensorInfo | tf.TensorInfo[]>(keep: T): T {
    const kept = new Set((Array.isArray(keep) ? keep : [keep]).map((t) => t.dataId));
    for (const t of this.made) if (!kept.has(t.dataId)) this.backend.disposeData(t.dataId);
    this.made.length = 0;
    return keep;
  }

  /** Frees everything made here (on error). */
  abort(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
    this.made.length = 0;
  }
}

/** out[c] = Σ over the `rows` rows of the row-major matrix m (rows × columns) of m[row][c], added in float64. */
export function columnSums(
  heap: HeapScratch,
  m: tf.TensorInfo,
  rows: number,
  columns: number,
  out: tf.TensorInfo,
): void {
  const f32 = heap.f32();
  const at = heap.address(m) / 4;
  const to = heap.address(out) / 4;
  for (let c = 0; c < columns; c++) {
    let total = 0;
    for (let r = 0; r < rows; r++) total += f32[at + r * columns + c];
    f32[to + c] = total;
  }
}
