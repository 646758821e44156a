/**
 * Training kernels for tfjs' wasm backend (4.22).
 *
 * - Conv2DBackpropFilter is missing on wasm, so training a CNN throws without it: added,
 *   as one XNNPACK convolution over transposed tensors.
 * - Replaced because they dominated a LeNet training step (with them replaced, Node trains
 *   ~370 instead of ~125 images/s at batch 64):
 *   - Conv2DBackpropInput is a scalar C++ loop: for stride 1, an XNNPACK convolution of dy
 *     with the flipped filter (other strides keep the original).
 *   - BatchMatMul with a transposed operand (every dense layer's gradient) takes a naive
 *     C++ loop: transpose explicitly, then the XNNPACK path.
 *   - MaxPoolGrad is slow and wrong for windows whose inputs are all negative (it starts its
 *     maximum at FLT_MIN, the smallest positive float): a JS loop on the wasm heap that, like
 *     the cpu backend, sends the gradient to the first maximum of each window.
 *
 * The composite kernels call the wasm backend's own kernel functions directly, so
 * intermediates live on the wasm heap and are freed here.
 */
import * as tf from '@tensorflow/tfjs';
// Registers the wasm backend and its kernels, which the kernels below are composed of.
import '@tensorflow/tfjs-backend-wasm';

type Pad = tf.backend_util.PadInfo;
type Backend = tf.KernelBackend;

/** Marks our kernel functions so that registration can recognise itself (idempotence). */
const OURS = Symbol.for('evolab.wasmKernel');
type MarkedKernelFunc = tf.KernelFunc & { [OURS]?: true };

function wasmKernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel '${name}' is not registered: import '@tensorflow/tfjs-backend-wasm' first`);
  return k;
}

/**
 * Runs wasm kernels directly and frees every intermediate it made, except what is returned.
 * (None of the kernels used here returns an alias of its input, so dataIds are distinct.)
 */
class Scope {
  private readonly made: tf.TensorInfo[] = [];
  constructor(private readonly backend: Backend) {}

  run(name: string, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>): tf.TensorInfo {
    const out = wasmKernel(name).kernelFunc({
      inputs: inputs as tf.NamedTensorInfoMap,
      backend: this.backend,
      attrs: attrs as tf.NamedAttrMap,
    }) as tf.TensorInfo;
    this.made.push(out);
    return out;
  }

  /** Frees all intermediates but `keep`. */
  finish(keep: tf.TensorInfo): tf.TensorInfo {
    for (const t of this.made) if (t.dataId !== keep.dataId) this.backend.disposeData(t.dataId);
    return keep;
  }

  /** Frees everything (on error). */
  abort(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
  }
}

function checkNHWC(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm supports dataFormat 'NHWC' only, got '${String(dataFormat)}'`);
  }
}

function explicitPad(p: Pad): [[number, number], [number, number], [number, number], [number, number]] {
  return [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
}

/**
 * dW[ky,kx,c,o] = Σ_{b,oy,ox} x[b, oy·s+ky−top, ox·s+kx−left, c] · dy[b,oy,ox,o].
 * That is a forward convolution of xᵀ ([C,H,W,B]: batch ↔ channels) with dyᵀ ([oH,oW,B,O]) as
 * the filter, dilated by the stride, over the same padding; XNNPACK does it as one GEMM.
 */
export function conv2DBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: Backend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  checkNHWC('Conv2DBackpropFilter', dataFormat);
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('Conv2DBackpropFilter on wasm needs float32 inputs');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { filterHeight: fh, filterWidth: fw, inChannels: c, outChannels: o } = info;
  if (dy.shape[1] !== info.outHeight || dy.shape[2] !== info.outWidth || dy.shape[3] !== o) {
    throw new Error(`Conv2DBackpropFilter: dy shape ${dy.shape} does not match the convolution (${info.outShape})`);
  }
  const scope = new Scope(backend);
  try {
    const xT = scope.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyT = scope.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    // [C, H', W', O] with H' ≥ fh: rows past fh come only from input the strided conv never read.
    let g = scope.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        pad: explicitPad(info.padInfo),
        dilations: [info.strideHeight, info.strideWidth],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      },
    );
    if (g.shape[1] !== fh || g.shape[2] !== fw) {
      g = scope.run('Slice', { x: g }, { begin: [0, 0, 0, 0], size: [c, fh, fw, o] });
    }
    return scope.finish(scope.run('Transpose', { x: g }, { perm: [1, 2, 0, 3] }));
  } catch (e) {
    scope.abort();
    throw e;
  }
}

/**
 * Stride 1: dx = conv(dy, W flipped in space with in/out channels swapped), padded by
 * (k−1−pad) on each side. Anything else goes to the backend's original kernel.
 */
function makeConv2DBackpropInput(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    checkNHWC('Conv2DBackpropInput', dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { filterHeight: fh, filterWidth: fw, padInfo: p } = info;
    const padT = fh - 1 - p.top;
    const padL = fw - 1 - p.left;
    const padB = info.inHeight - info.outHeight + p.top;
    const padR = info.inWidth - info.outWidth + p.left;
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || Math.min(padT, padL, padB, padR) < 0 || dy.dtype !== 'float32') {
      return original(args);
    }
    const scope = new Scope(backend as Backend);
    try {
      const flipped = scope.run('Reverse', { x: filter }, { dims: [0, 1] });
      const wT = scope.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
      const dx = scope.run(
        'Conv2D',
        { x: dy, filter: wT },
        {
          strides: [1, 1],
          pad: [[0, 0], [padT, padB], [padL, padR], [0, 0]],
          dilations: [1, 1],
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
        },
      );
      return scope.finish(dx);
    } catch (e) {
      scope.abort();
      throw e;
    }
  };
}

/** The wasm heap view of a tensor; re-take it after any allocation (the heap may grow). */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

export function maxPoolGradWasm(args: { inputs: tf.NamedTensorInfoMap; backend: Backend; attrs: tf.NamedAttrMap }): tf.TensorInfo {
  const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('MaxPoolGrad on wasm needs float32 inputs');
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const heap = args.backend as unknown as HeapBackend;
  const out = heap.makeOutput(input.shape, 'float32');
  const dx = heap.typedArrayFromHeap(out);
  const x = heap.typedArrayFromHeap(input);
  const g = heap.typedArrayFromHeap(dy);
  dx.fill(0);
  const best = new Float32Array(C);
  const at = new Int32Array(C);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        best.fill(-Infinity);
        at.fill(-1);
        for (let ky = 0; ky < fh; ky++) {
          const iy = oy * sh - info.padInfo.top + ky;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < fw; kx++) {
            const ix = ox * sw - info.padInfo.left + kx;
            if (ix < 0 || ix >= W) continue;
            const base = ((b * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              if (v > best[c]) {
                best[c] = v;
                at[c] = base + c;
              }
            }
          }
        }
        const gBase = ((b * OH + oy) * OW + ox) * C;
        for (let c = 0; c < C; c++) if (at[c] >= 0) dx[at[c]] += g[gBase + c];
      }
    }
  }
  return out;
}

/** A transposed 2D operand is transposed explicitly so that the product takes XNNPACK's path. */
function makeBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const single = (t: tf.TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1) && t.dtype === 'float32';
    if ((!transposeA && !transposeB) || !single(a) || !single(b)) return original(args);
    const scope = new Scope(args.backend as Backend);
    try {
      const swap = (t: tf.TensorInfo) => {
        const perm = t.shape.map((_, i) => i);
        const r = perm.length;
        [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
        return scope.run('Transpose', { x: t }, { perm });
      };
      const out = original({
        ...args,
        inputs: { a: transposeA ? swap(a) : a, b: transposeB ? swap(b) : b },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
      return scope.finish(out);
    } catch (e) {
      scope.abort();
      throw e;
    }
  };
}

function mark(f: tf.KernelFunc): MarkedKernelFunc {
  const m = f as MarkedKernelFunc;
  m[OURS] = true;
  return m;
}

const isOurs = (k: tf.KernelConfig | undefined): boolean => !!k && (k.kernelFunc as MarkedKernelFunc)[OURS] === true;

export interface WasmKernelOptions {
  /** Replace wasm's slow Conv2DBackpropInput, BatchMatMul (transposed) and MaxPoolGrad (default true). */
  replaceSlowKernels?: boolean;
}

/** Swaps a registered wasm kernel for `make(original)`, keeping its setup/dispose functions. */
function replace(name: string, make: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const original = tf.getKernel(name, 'wasm');
  if (!original || isOurs(original)) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: mark(make(original.kernelFunc)) });
}

/**
 * Registers the training kernels for 'wasm'. Idempotent; call before or after the backend
 * initialises (the replaced kernel keeps its original setup function).
 */
export function registerWasmTrainingKernels(options: WasmKernelOptions = {}): void {
  // If a later tfjs ships its own Conv2DBackpropFilter, keep it.
  if (!tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')) {
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropFilter,
      backendName: 'wasm',
      kernelFunc: mark(conv2DBackpropFilterWasm as unknown as tf.KernelFunc),
    });
  }
  if (options.replaceSlowKernels ?? true) {
    replace(tf.Conv2DBackpropInput, makeConv2DBackpropInput);
    replace(tf.BatchMatMul, makeBatchMatMul);
    replace(tf.MaxPoolGrad, () => maxPoolGradWasm as unknown as tf.KernelFunc);
  }
}
