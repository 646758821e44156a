/**
 * Direct access to tfjs' wasm heap for our SIMD kernels: tensors' byte addresses, scratch
 * tensors that are freed together, and the kernels bound to the backend's memory.
 */
import type * as tf from '@tensorflow/tfjs';
import { simdKernelsFor, type SimdKernels } from './simd/simd-kernels';

/** The parts of tfjs' BackendWasm used here. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): void;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory; HEAPU8: Uint8Array };
}

/** Our SIMD kernels on this wasm backend's memory, or null where they cannot run. */
export function simdKernelsOf(backend: tf.KernelBackend): SimdKernels | null {
  const wasm = (backend as unknown as WasmHeapBackend).wasm;
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
  return memory ? simdKernelsFor(memory) : null;
}

/** Tensors made on the heap for one kernel call; all but the result are freed at the end. */
export class HeapScratch {
  private readonly backend: WasmHeapBackend;
  private readonly made = new Set<tf.TensorInfo>();

  constructor(backend: tf.KernelBackend) {
    this.backend = backend as unknown as WasmHeapBackend;
  }

  alloc(shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
    return this.adopt(this.backend.makeOutput(shape, dtype));
  }

  adopt(t: tf.TensorInfo): tf.TensorInfo {
    this.made.add(t);
    return t;
  }

  /** Byte address of a tensor's data. */
  address(t: tf.TensorInfo): number {
    return this.backend.dataIdMap.get(t.dataId).memoryOffset;
  }

  /** Views of the whole heap; take them again after any allocation (the heap may grow). */
  f32(): Float32Array {
    return new Float32Array(this.backend.wasm.HEAPU8.buffer);
  }
  i32(): Int32Array {
    return new Int32Array(this.backend.wasm.HEAPU8.buffer);
  }

  free(t: tf.TensorInfo): void {
    if (this.made.delete(t)) this.backend.disposeData(t.dataId);
  }

  /** Frees everything but `keep` (and everything on error: call with no argument). */
  finish(keep?: tf.TensorInfo): void {
    for (const t of this.made) if (t !== keep) this.backend.disposeData(t.dataId);
    this.made.clear();
  }
}
