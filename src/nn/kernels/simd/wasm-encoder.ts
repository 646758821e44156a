/**
 * A minimal WebAssembly binary encoder: just what our SIMD kernels need (i32 arithmetic,
 * loops, loads/stores, and 128-bit float vectors), so that kernels are generated in TS at
 * start-up instead of shipping a toolchain. The module imports the memory it works on
 * ('env' 'memory'), so it can read and write tfjs' wasm heap directly.
 */

export type ValType = 'i32' | 'f32' | 'v128';
/** What JavaScript can pass to an exported function (a v128 parameter cannot be called from JS). */
export type ParamType = 'i32' | 'f32';
const TYPE_CODE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

/** A parameter or local variable of a function being generated: its index, typed for the checker. */
export interface Local<T extends ValType = ValType> {
  readonly index: number;
  readonly type: T;
}

/** `count` copies of T as a tuple type (for parameter lists). */
export type Repeat<T, N extends number, Acc extends T[] = []> = Acc['length'] extends N
  ? Acc
  : Repeat<T, N, [...Acc, T]>;

/** `count` copies of `type` as a tuple: `[...repeat('i32', 9), 'f32']` is a parameter list. */
export function repeat<T extends ParamType, N extends number>(type: T, count: N): Repeat<T, N> {
  return Array.from({ length: count }, () => type) as Repeat<T, N>;
}

/**
 * The JavaScript signature of a generated function with parameters P: wasm's i32 and f32 are
 * both JS numbers, so the checker catches a wrong number of arguments (and non-numbers), not an
 * i32 passed for an f32.
 */
export type Signature<P extends readonly ParamType[]> = (...args: { -readonly [K in keyof P]: number }) => void;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(s: string): number[] {
  const b = Array.from(new TextEncoder().encode(s));
  return [...uleb(b.length), ...b];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const SIMD = 0xfd;

/** A function body, written as a stack-machine instruction sequence. Methods chain. */
export class Code {
  readonly bytes: number[] = [];

  private emit(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  private simd(op: number, ...imm: number[]): this {
    return this.emit(SIMD, ...uleb(op), ...imm);
  }

  /** Runs `emit` on this code (for reusable snippets). */
  snippet(emit: (code: Code) => void): this {
    emit(this);
    return this;
  }
  get(local: Local): this {
    return this.emit(0x20, ...uleb(local.index));
  }
  set(local: Local): this {
    return this.emit(0x21, ...uleb(local.index));
  }
  tee(local: Local): this {
    return this.emit(0x22, ...uleb(local.index));
  }
  i32(n: number): this {
    return this.emit(0x41, ...sleb(n | 0));
  }
  i32Add(): this {
    return this.emit(0x6a);
  }
  i32Sub(): this {
    return this.emit(0x6b);
  }
  i32Mul(): this {
    return this.emit(0x6c);
  }
  i32And(): this {
    return this.emit(0x71);
  }
  i32Eqz(): this {
    return this.emit(0x45);
  }
  i32GeS(): this {
    return this.emit(0x4e);
  }
  /** i32.load from the address on the stack plus a constant offset. */
  i32Load(offset = 0): this {
    return this.emit(0x28, 2, ...uleb(offset));
  }
  /** i32.store of the value on the stack at the address below it plus a constant offset. */
  i32Store(offset = 0): this {
    return this.emit(0x36, 2, ...uleb(offset));
  }
  /** if … end on the i32 on the stack (no else). */
  ifThen(): this {
    return this.emit(0x04, 0x40);
  }
  block(): this {
    return this.emit(0x02, 0x40);
  }
  loop(): this {
    return this.emit(0x03, 0x40);
  }
  end(): this {
    return this.emit(0x0b);
  }
  /** while (counter ≠ 0) { body; counter −= 1 }, for an i32 local that `body` leaves alone. */
  countdown(counter: Local<'i32'>, body: () => void): this {
    this.block().loop();
    this.get(counter).i32Eqz().brIf(1);
    body();
    this.get(counter).i32(1).i32Sub().set(counter);
    return this.br(0).end().end();
  }
  /** while (i < limit) { body; i += step }, i32 locals (signed), i set by the caller. */
  whileBelow(i: Local<'i32'>, limit: Local<'i32'>, step: number, body: () => void): this {
    this.block().loop();
    this.get(i).get(limit).i32GeS().brIf(1);
    body();
    this.get(i).i32(step).i32Add().set(i);
    return this.br(0).end().end();
  }
  /** local += by (i32 locals). */
  advance(local: Local<'i32'>, by: Local<'i32'>): this {
    return this.get(local).get(by).i32Add().set(local);
  }
  /** local += a constant (an i32 local; e.g. a byte pointer by one vector). */
  bump(local: Local<'i32'>, constant: number): this {
    return this.get(local).i32(constant).i32Add().set(local);
  }
  br(depth: number): this {
    return this.emit(0x0c, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.emit(0x0d, ...uleb(depth));
  }

  v128Load(offset = 0): this {
    return this.simd(0x00, 4, ...uleb(offset));
  }
  /** Four copies of the f32 at the address on the stack. */
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09, 2, ...uleb(offset));
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b, 4, ...uleb(offset));
  }
  /** Four copies of the float32 `x`. */
  f32x4Const(x: number): this {
    const b = new Uint8Array(new Float32Array([x, x, x, x]).buffer);
    return this.simd(0x0c, ...b);
  }
  /** Four copies of the f32 on the stack. */
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f32x4Div(): this {
    return this.simd(0xe7);
  }
  f32x4Sqrt(): this {
    return this.simd(0xe3);
  }
  f32x4Eq(): this {
    return this.simd(0x41);
  }
  f32x4Gt(): this {
    return this.simd(0x44);
  }
  /** Lane-wise max (NaN-propagating). */
  f32x4Max(): this {
    return this.simd(0xe9);
  }
  /** Bits of the first operand where the mask (top of stack) is set, else of the second. */
  v128Bitselect(): this {
    return this.simd(0x52);
  }
  /** 1 if any bit of the v128 on the stack is set. */
  v128AnyTrue(): this {
    return this.simd(0x53);
  }
  i32x4Splat(): this {
    return this.simd(0x11);
  }
  i32x4ExtractLane(lane: number): this {
    return this.simd(0x1b, lane);
  }
  /** The f32 at the address on the stack in lane 0, zeros elsewhere. */
  v128Load32Zero(offset = 0): this {
    return this.simd(0x5c, 2, ...uleb(offset));
  }
  /** (address, vector) → the vector with lane `lane` replaced by the f32 at the address. */
  v128Load32Lane(lane: number, offset = 0): this {
    return this.simd(0x56, 2, ...uleb(offset), lane);
  }
  v128And(): this {
    return this.simd(0x4e);
  }
  /** The low 8 bytes as unsigned 16-bit lanes. */
  i16x8ExtendLowI8x16U(): this {
    return this.simd(0x89);
  }
  /** The low 4 16-bit lanes as unsigned 32-bit lanes. */
  i32x4ExtendLowI16x8U(): this {
    return this.simd(0xa9);
  }
  f32x4ConvertI32x4U(): this {
    return this.simd(0xfb);
  }
  v128AndNot(): this {
    return this.simd(0x4f);
  }
  v128Or(): this {
    return this.simd(0x50);
  }
}

/** A generated function: its export name, parameter and local types, and body. */
export interface FuncSpec<Name extends string = string, P extends readonly ParamType[] = readonly ParamType[]> {
  readonly name: Name;
  readonly params: P;
  readonly locals: readonly ValType[];
  readonly body: Code;
}

/** The exports of a module of `S`'s functions, each typed by its declared parameters. */
export type ModuleExports<S extends readonly FuncSpec[]> = {
  [F in S[number] as F['name']]: Signature<F['params']>;
};

/**
 * Builds one function: its parameters are declared up front (so that its signature follows from
 * them), its locals as they are needed; both come back as handles that the Code methods take.
 *
 *   const f = wasmFunction('scale', ['i32', 'i32', 'f32']);
 *   const [src, count, factor] = f.params;
 *   const at = f.local('i32');
 *   f.code.get(src)…;
 *   return f.finish(); // FuncSpec<'scale', ['i32', 'i32', 'f32']>
 */
export class FunctionBuilder<Name extends string, P extends readonly ParamType[]> {
  readonly code = new Code();
  readonly params: { readonly [K in keyof P]: Local<P[K]> };
  private readonly localTypes: ValType[] = [];

  constructor(
    readonly name: Name,
    private readonly paramTypes: P,
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type })) as unknown as {
      readonly [K in keyof P]: Local<P[K]>;
    };
  }

  /** A new local of `type` (wasm zero-initialises it). */
  local<T extends ValType>(type: T): Local<T> {
    const index = this.paramTypes.length + this.localTypes.length;
    this.localTypes.push(type);
    return { index, type };
  }

  /** `count` new locals of `type`. */
  locals<T extends ValType>(type: T, count: number): Array<Local<T>> {
    return Array.from({ length: count }, () => this.local(type));
  }

  finish(): FuncSpec<Name, P> {
    return { name: this.name, params: this.paramTypes, locals: [...this.localTypes], body: this.code };
  }
}

/** Starts a function named `name` (its export name) with parameters of `params`' types. */
export function wasmFunction<const Name extends string, const P extends readonly ParamType[]>(
  name: Name,
  params: P,
): FunctionBuilder<Name, P> {
  return new FunctionBuilder(name, params);
}

/** Encodes a module of void functions over an imported memory (shared if the heap is). */
export function encodeModule(funcs: readonly FuncSpec[], sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((p) => [TYPE_CODE[p]])), 0]);
  // Limits: shared memories need a maximum (65536 pages = 4 GiB, the wasm32 limit).
  const limits = sharedMemory ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  const imports = vec([[...name('env'), ...name('memory'), 0x02, ...limits]]);
  const functions = vec(funcs.map((_, i) => uleb(i)));
  const exports = vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const bodies = funcs.map((f) => {
    // Locals as runs of one type each.
    const runs: number[][] = [];
    for (const l of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === TYPE_CODE[l]) last[0]++;
      else runs.push([1, TYPE_CODE[l]]);
    }
    const body = [...vec(runs.map(([n, t]) => [...uleb(n), t])), ...f.body.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  });
  // The "name" custom section: profilers (node --cpu-prof, DevTools) show our kernels by name.
  const functionNames = vec(funcs.map((f, i) => [...uleb(i), ...name(f.name)]));
  const names = [...name('name'), 1, ...uleb(functionNames.length), ...functionNames];
  // prettier-ignore
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, functions),
    ...section(7, exports),
    ...section(10, vec(bodies)),
    ...section(0, names),
  ]);
}
