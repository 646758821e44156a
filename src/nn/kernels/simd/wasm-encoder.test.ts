import { describe, expect, it } from 'vitest';
import { encodeModule, repeat, wasmFunction, type ModuleExports } from './wasm-encoder';
import { instantiateKernels, simdModuleBytes, simdSupported } from './simd-kernels';

/** The exports of a module of `funcs` on a fresh memory of one page. */
function build<const S extends Parameters<typeof encodeModule>[0]>(funcs: S) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const bytes = encodeModule(funcs, false);
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  return { memory, bytes, exports: exports as unknown as ModuleExports<S> };
}

describe('the wasm encoder', () => {
  it('encodes a module that runs: f() stores splat(1.5) + splat(2.25) as four floats', () => {
    const f = wasmFunction('f', []);
    f.code.i32(0).f32x4Const(1.5).f32x4Const(2.25).f32x4Add().v128Store(16);
    const { memory, bytes, exports } = build([f.finish()]);
    exports.f();
    expect(Array.from(new Float32Array(memory.buffer, 16, 4))).toEqual([3.75, 3.75, 3.75, 3.75]);
    // The name section, for profilers: function names (1), 4 bytes, one entry: function 0 is "f".
    const [names] = WebAssembly.Module.customSections(new WebAssembly.Module(bytes), 'name');
    expect(Array.from(new Uint8Array(names))).toEqual([1, 4, 1, 0, 1, 'f'.charCodeAt(0)]);
  });

  it('numbers parameters first, then locals in the order they are asked for', () => {
    const f = wasmFunction('g', ['i32', 'f32', 'i32']);
    const [a, b, c] = f.params;
    expect([a, b, c]).toEqual([
      { index: 0, type: 'i32' },
      { index: 1, type: 'f32' },
      { index: 2, type: 'i32' },
    ]);
    const v = f.local('v128');
    const [i, j] = f.locals('i32', 2);
    expect([v.index, i.index, j.index]).toEqual([3, 4, 5]);
    const spec = f.finish();
    expect(spec.params).toEqual(['i32', 'f32', 'i32']);
    expect(spec.locals).toEqual(['v128', 'i32', 'i32']);
  });

  it('runs a function through its handles: stores count floats of src · factor, then count itself', () => {
    const f = wasmFunction('scale', [...repeat('i32', 3), 'f32']);
    const [src, dst, count, factor] = f.params;
    const at = f.local('i32');
    const left = f.local('i32');
    const code = f.code;
    code.get(count).set(left);
    code.countdown(left, () => {
      code.get(dst).get(at).i32Add();
      code.get(src).get(at).i32Add().v128Load32Zero().get(factor).f32x4Splat().f32x4Mul().i32x4ExtractLane(0);
      code.i32Store();
      code.bump(at, 4);
    });
    code.get(dst).get(at).i32Add().get(count).i32Store();
    const { memory, exports } = build([f.finish()]);
    const f32 = new Float32Array(memory.buffer);
    f32.set([1.5, -2, 0.25], 0);
    exports.scale(0, 64, 3, 4);
    expect(Array.from(f32.subarray(16, 19))).toEqual([6, -8, 1]);
    expect(new Int32Array(memory.buffer)[19]).toBe(3);
  });

  it("derives each export's TypeScript signature from its declared parameters", () => {
    const f = wasmFunction('two', ['i32', 'f32']);
    const { exports } = build([f.finish()]);
    exports.two(1, 2.5);
    // Wrong arities and non-numbers do not compile (tsc checks these lines in npm test).
    // @ts-expect-error one argument for two parameters
    expect(() => exports.two(1)).not.toThrow();
    // @ts-expect-error three arguments for two parameters
    expect(() => exports.two(1, 2, 3)).not.toThrow();
    // @ts-expect-error a string for an f32
    expect(() => exports.two(1, 'x')).not.toThrow();
    // @ts-expect-error no such export
    expect(exports.three).toBeUndefined();
  });
});

describe('validating the generated module', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  /** f32x4.add of an i32 and a v128: a generator bug that no engine validates. */
  const broken = () => {
    const f = wasmFunction('broken', []);
    f.code.i32(0).f32x4Const(1).f32x4Add().v128Store();
    return encodeModule([f.finish()], false);
  };

  it('Node validates SIMD, and our module', () => {
    expect(simdSupported()).toBe(true);
    expect(WebAssembly.validate(simdModuleBytes(false))).toBe(true);
    expect(instantiateKernels(simdModuleBytes(false), memory)).not.toBeNull();
  });

  it('throws, with the engine’s reason, when the module fails to validate where SIMD is available', () => {
    expect(() => instantiateKernels(broken(), memory, true)).toThrow(
      /does not validate although .* supports SIMD.*: ./,
    );
  });

  it('gives null (the fallback) when WebAssembly has no SIMD', () => {
    expect(instantiateKernels(broken(), memory, false)).toBeNull();
  });
});
