/** For the kernels' tests: a fresh wasm memory with our module on it, and a bump allocator. */
import { simdModuleBytes, type SimdKernels } from '../nn/kernels/simd/simd-kernels';

export class TestHeap {
  readonly memory: WebAssembly.Memory;
  readonly simd: SimdKernels;
  private top = 64;

  constructor(pages = 64, shared = false) {
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: shared ? 65536 : undefined, shared });
    const module = new WebAssembly.Module(simdModuleBytes(shared));
    this.simd = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as SimdKernels;
  }

  get f32(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }
  get i32(): Int32Array {
    return new Int32Array(this.memory.buffer);
  }
  get u8(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  /** `bytes` of memory (64-byte aligned, filled with NaN bits so that unwritten output shows). */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = Math.ceil((at + bytes) / 64) * 64 + 64;
    if (this.top > this.memory.buffer.byteLength) throw new Error('TestHeap: out of memory');
    this.u8.fill(0xff, at, at + bytes);
    return at;
  }
  /** Float32s copied in; their address. */
  floats(values: ArrayLike<number>): number {
    const at = this.alloc(4 * values.length);
    this.f32.set(values, at / 4);
    return at;
  }
  /** Int32s copied in; their address. */
  ints(values: ArrayLike<number>): number {
    const at = this.alloc(4 * values.length);
    this.i32.set(values, at / 4);
    return at;
  }
  /** `n` float32s at byte address `at`. */
  read(at: number, n: number): Float32Array {
    return this.f32.slice(at / 4, at / 4 + n);
  }
}

/** The bit patterns of float32 values: compares −0 with +0 and NaN with NaN exactly. */
export const bits = (values: ArrayLike<number>): number[] =>
  Array.from(new Uint32Array(Float32Array.from(values).buffer));
