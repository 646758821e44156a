/**
 * The paper's network (ALGORITHM.md §3, Caffe's cifar10_quick) built from a Genome, with
 * masked training: masked synapses and the biases of dead filters are exactly 0 after every
 * optimizer step.
 *
 *   conv1 5×5 same → maxpool(p, s2, same) → ReLU → conv2 → ReLU → avgpool → conv3 → ReLU →
 *   avgpool → flatten (NHWC) → fc1 (ReLU) → fc2 (logits)
 *
 * By default the tfjs network is compacted: filters that cannot affect the output (see
 * layout.compactKeep) are left out of the tensors, so evolved networks train faster.
 */
import * as tf from '@tensorflow/tfjs';
import { cloneGenome, synapseCount, type Genome, type LayerGenes } from '../../evolution/genome';
import { liveFilters } from '../../evolution/metrics';
import type { Rng } from '../../evolution/rng';
import { makeBatch, makeByteBatch, type Batch, type ByteBatch, type ImageDataset } from '../../data/dataset';
import {
  compactKeep,
  fromTfKernel,
  fullKeep,
  gather,
  gatherRows,
  range,
  scatterRows,
  toTfKernel,
  type Keep,
} from './layout';
import {
  disposeOptimizer,
  makeOptimizer,
  optimizerKey,
  validateTrainSettings,
  type Optimizer,
  type TrainSettings,
} from './train-settings';
import { convBiasMaxPoolRelu } from '../kernels/fused/conv-bias-max-pool-relu';
import { convBiasReluAvgPool } from '../kernels/fused/conv-bias-relu-avg-pool';
import { denseHeadLoss } from './dense-loss';
import { FusedAdam } from '../kernels/fused-adam';
import {
  splitBatch,
  type GradientPeer,
  type InputShape,
  type NetworkBlueprint,
  type PartGradients,
} from './gradient-peer';
import { registerWasmTrainingKernels } from '../kernels/register';
import { WasmStep } from '../kernels/wasm-step';

// Whoever activates 'wasm' (selectBackend or tf.setBackend directly), training must work.
registerWasmTrainingKernels();

export type { TrainSettings } from './train-settings';
export { DEFAULT_TRAIN_SETTINGS } from './train-settings';

export type { InputShape } from './gradient-peer';

export interface NetworkOptions {
  /** Pooling window (stride is always 2, padding 'same'). Default 3, as cifar10_quick. */
  poolSize?: number;
  /** Leave filters that cannot affect the output out of the tensors. Default true. */
  compact?: boolean;
  /**
   * With compaction, keep each layer's filter count a multiple of this (or the whole layer),
   * so that the wasm SIMD kernels (four channels per instruction) apply. Default 4.
   */
  channelMultiple?: number;
  /**
   * On wasm, compute each step's loss and gradients through our kernels directly, without
   * tfjs' tape (wasm-step.ts). Default true; false takes the tape (the reference it is tested against).
   */
  tapeFreeStep?: boolean;
}

/** `epoch` and `batch` are 1-based: batch `batch` of `batches` in epoch `epoch` of `epochs` just finished. */
export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean cross-entropy of this batch. */
  loss: number;
  /** Images trained on so far in this train() call. */
  imagesSeen: number;
}

export interface TrainHooks {
  /** Awaited after every batch: return a promise (e.g. a setTimeout(0)) to let a Worker process messages. */
  onBatch?: (p: BatchProgress) => void | Promise<void>;
  /** Checked before every batch. */
  shouldStop?: () => boolean;
  /**
   * Replicas on other cores: every batch is split between this network and them
   * (gradient-peer.ts). Results equal single-core training up to floating-point noise.
   */
  peers?: readonly GradientPeer[];
}

export interface TrainResult {
  /** Mean loss per image of each completed epoch (a stopped epoch is not included). */
  epochLosses: number[];
  images: number;
  seconds: number;
  stopped: boolean;
}

export interface EvalResult {
  accuracy: number;
  correct: number;
  total: number;
}

/** A type, not an interface: tf.tidy returns it (TensorContainer needs an index signature). */
type LossAndGradients = { value: tf.Scalar; grads: tf.NamedTensorMap };

interface Param {
  v: tf.Variable;
  /** null for the unevolved output layer. */
  mask: tf.Tensor | null;
}

const pooled = (n: number): number => Math.ceil(n / 2);
let nextNetworkId = 0;

function validate(genome: Genome, input: InputShape, poolSize: number): void {
  const bad = (what: string): never => {
    throw new Error(`MaskedNetwork.fromGenome: ${what}`);
  };
  for (const [k, v] of Object.entries(input))
    if (!Number.isInteger(v) || v < 1) bad(`input.${k} must be a positive integer, got ${v}`);
  if (!Number.isInteger(poolSize) || poolSize < 1) bad(`poolSize must be a positive integer, got ${poolSize}`);
  const ls = genome.layers;
  const kinds = ls.map((l) => l.spec.kind).join(',');
  if (kinds !== 'conv,conv,conv,dense') bad(`expected layers conv,conv,conv,dense, got ${kinds || 'none'}`);
  let channels = input.channels;
  for (const l of ls) {
    const s = l.spec;
    if (s.inChannels !== channels) bad(`${s.name} expects ${s.inChannels} input channels but gets ${channels}`);
    const n = synapseCount(s);
    if (l.weights.length !== n || l.mask.length !== n)
      bad(`${s.name} has ${l.weights.length} weights and ${l.mask.length} mask bits, expected ${n}`);
    if (l.bias.length !== s.filters) bad(`${s.name} has ${l.bias.length} biases for ${s.filters} filters`);
    channels = s.filters;
  }
  const h = pooled(pooled(pooled(input.height)));
  const w = pooled(pooled(pooled(input.width)));
  const fc1 = ls[3].spec;
  if (fc1.kernelH !== h || fc1.kernelW !== w)
    bad(`fc1 reads a ${fc1.kernelH}×${fc1.kernelW} map but ${input.height}×${input.width} input pools to ${h}×${w}`);
  const o = genome.output;
  if (o.inUnits !== fc1.filters) bad(`output layer has ${o.inUnits} inputs for ${fc1.filters} fc1 units`);
  if (o.weights.length !== o.inUnits * o.outUnits || o.bias.length !== o.outUnits)
    bad('output layer weights/bias have the wrong length');
}

/** A private copy in which masked weights and the biases of dead filters are 0. */
function normalised(genome: Genome): Genome {
  const g = cloneGenome(genome);
  for (const l of g.layers) {
    for (let i = 0; i < l.weights.length; i++) if (!l.mask[i]) l.weights[i] = 0;
    liveFilters(l).forEach((live, f) => {
      if (!live) l.bias[f] = 0;
    });
  }
  return g;
}

export class MaskedNetwork {
  private optimizer: Optimizer | null = null;
  private readonly tapeFreeSteps = new Map<string, WasmStep | null>();
  private optimizerFor = '';
  private disposed = false;
  private training = false;

  private constructor(
    /** Genes the tensors do not hold (dropped filters) are read back from here. */
    private readonly genome: Genome,
    readonly input: Readonly<InputShape>,
    readonly poolSize: number,
    private readonly keep: Keep,
    /** conv1, conv2, conv3, fc1 (kernel, bias each), then output (kernel, bias). */
    private readonly params: Param[],
    private readonly compact: boolean,
    private readonly channelMultiple: number,
    private readonly tapeFree: boolean,
    /** Names this network to gradient peers, which hold one replica at a time. */
    private readonly key: string,
  ) {}

  static fromGenome(genome: Genome, input: InputShape, options: NetworkOptions = {}): MaskedNetwork {
    const poolSize = options.poolSize ?? 3;
    validate(genome, input, poolSize);
    const g = normalised(genome);
    const channelMultiple = options.channelMultiple ?? 4;
    const keep = options.compact === false ? fullKeep(g.layers) : compactKeep(g.layers, channelMultiple);
    const id = nextNetworkId++;
    const params: Param[] = [];
    const add = (name: string, values: Float32Array, shape: number[], mask: Float32Array | null): void => {
      params.push({
        v: tf.tidy(() => tf.variable(tf.tensor(values, shape), true, `evolab${id}/${name}`)),
        mask: mask ? tf.tensor(mask, shape) : null,
      });
    };
    g.layers.forEach((l, i) => {
      const inIdx = i === 0 ? range(l.spec.inChannels) : keep.out[i - 1];
      const outIdx = keep.out[i];
      const w = toTfKernel(l, l.weights, inIdx, outIdx, (n) => new Float32Array(n));
      const m = Float32Array.from(toTfKernel(l, l.mask, inIdx, outIdx, (n) => new Uint8Array(n)));
      const shape = [l.spec.kernelH, l.spec.kernelW, inIdx.length, outIdx.length];
      add(`${l.spec.name}/kernel`, w, l.spec.kind === 'dense' ? [shape[0] * shape[1] * shape[2], shape[3]] : shape, m);
      const live = liveFilters(l);
      add(
        `${l.spec.name}/bias`,
        gather(l.bias, outIdx),
        [outIdx.length],
        Float32Array.from(outIdx, (f) => live[f]),
      );
    });
    const o = g.output;
    const fc1Out = keep.out[3];
    add('output/kernel', gatherRows(o.weights, o.outUnits, fc1Out), [fc1Out.length, o.outUnits], null);
    add('output/bias', o.bias.slice(), [o.outUnits], null);
    return new MaskedNetwork(
      g,
      { ...input },
      poolSize,
      keep,
      params,
      options.compact !== false,
      channelMultiple,
      options.tapeFreeStep !== false,
      `network-${id}`,
    );
  }

  get classes(): number {
    return this.genome.output.outUnits;
  }

  /** Names of the tfjs variables (kernel, bias per layer; output last), e.g. for inspection. */
  get variableNames(): string[] {
    return this.params.map((p) => p.v.name);
  }

  /** Filters per evolved layer that the tensors actually hold (after compaction). */
  get physicalFilters(): number[] {
    return this.keep.out.map((k) => k.length);
  }

  private check(): void {
    if (this.disposed) throw new Error('MaskedNetwork: used after dispose()');
  }

  /**
   * The flattened features of an NHWC batch in [0, 1]: everything before fc1, one op per layer
   * (each a fused kernel where the backend has one: kernels/fused/).
   */
  private features(x: tf.Tensor4D): tf.Tensor2D {
    const [w1, b1, w2, b2, w3, b3] = this.params.map((p) => p.v);
    const p = this.poolSize;
    let h = convBiasMaxPoolRelu(x, w1 as tf.Tensor4D, b1 as tf.Tensor1D, p, 2);
    h = convBiasReluAvgPool(h, w2 as tf.Tensor4D, b2 as tf.Tensor1D, p, 2);
    h = convBiasReluAvgPool(h, w3 as tf.Tensor4D, b3 as tf.Tensor1D, p, 2);
    return tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
  }

  /** Logits for an NHWC batch in [0, 1]. */
  private forward(x: tf.Tensor4D): tf.Tensor2D {
    const [w4, b4, wo, bo] = this.params.slice(6).map((p) => p.v);
    const fc1 = tf.fused.matMul({ a: this.features(x), b: w4 as tf.Tensor2D, bias: b4, activation: 'relu' });
    return tf.fused.matMul({ a: fc1, b: wo as tf.Tensor2D, bias: bo }) as tf.Tensor2D;
  }

  private batchTensor(b: Batch): tf.Tensor4D {
    const { height, width, channels } = this.input;
    return tf.tensor4d(b.x, [b.size, height, width, channels]);
  }

  /** Logits of a batch, row-major [size][classes]. */
  logits(batch: Batch): Float32Array {
    this.check();
    const t = tf.tidy(() => this.forward(this.batchTensor(batch)));
    const values = t.dataSync() as Float32Array;
    t.dispose();
    return values;
  }

  private checkData(data: ImageDataset, indices: ArrayLike<number>): void {
    const { height, width, channels } = this.input;
    if (data.height !== height || data.width !== width || data.channels !== channels) {
      throw new Error(
        `dataset is ${data.height}×${data.width}×${data.channels}, network expects ${height}×${width}×${channels}`,
      );
    }
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i];
      if (!Number.isInteger(k) || k < 0 || k >= data.count)
        throw new Error(`index ${k} (at ${i}) is outside the dataset of ${data.count}`);
    }
  }

  /** Mean loss over `batch` and its gradients at the current weights. Call inside tidy. */
  private lossAndGradients(batch: Batch): LossAndGradients {
    const direct = this.tapeFreeStep(batch.size);
    if (direct) return this.tapeFreeLossAndGradients(direct, batch.x, batch.labels);
    const x = this.batchTensor(batch);
    const y = this.labelsTensor(batch);
    const [w4, b4, wo, bo] = this.params.slice(6).map((p) => p.v);
    const loss = () =>
      denseHeadLoss(this.features(x), w4 as tf.Tensor2D, b4 as tf.Tensor1D, wo as tf.Tensor2D, bo as tf.Tensor1D, y);
    return tf.variableGrads(
      loss,
      this.params.map((p) => p.v),
    );
  }

  /** lossAndGradients through the tape-free step, from scaled images or their bytes. Call inside tidy. */
  private tapeFreeLossAndGradients(
    direct: WasmStep,
    images: Float32Array | Uint8Array,
    labels: Uint8Array,
  ): LossAndGradients {
    const variables = this.params.map((p) => p.v);
    const { loss, grads } = direct.run(tf.backend(), images, labels, variables);
    const named: tf.NamedTensorMap = {};
    variables.forEach((v, k) => {
      named[v.name] = tf.engine().makeTensorFromTensorInfo(grads[k]);
    });
    return { value: tf.scalar(loss), grads: named };
  }

  /** The tape-free step for batches of `size` on the current backend, or null where it does not apply. */
  private tapeFreeStep(size: number): WasmStep | null {
    const key = `${tf.getBackend()} ${size}`;
    if (!this.tapeFreeSteps.has(key)) {
      const { height, width, channels } = this.input;
      this.tapeFreeSteps.set(
        key,
        this.tapeFree
          ? WasmStep.create(
              [size, height, width, channels],
              this.params.map((p) => p.v),
              this.poolSize,
            )
          : null,
      );
    }
    return this.tapeFreeSteps.get(key)!;
  }

  private labelsTensor(b: Batch): tf.Tensor2D {
    // Float32 one-hot rows made here: tf.oneHot gives int32, and the loss would cast it.
    const oneHot = new Float32Array(b.labels.length * this.classes);
    for (let i = 0; i < b.labels.length; i++) {
      const label = b.labels[i];
      if (label >= this.classes) throw new Error(`label ${label} ≥ ${this.classes} classes`);
      oneHot[i * this.classes + label] = 1;
    }
    return tf.tensor2d(oneHot, [b.labels.length, this.classes]);
  }

  /** Masks (and decays) `grads`, applies them, and re-masks the weights. Call inside tidy. */
  private applyGradients(grads: tf.NamedTensorMap, optimizer: Optimizer, weightDecay: number): void {
    if (optimizer instanceof FusedAdam) {
      optimizer.step(this.params, grads, weightDecay);
      return;
    }
    const masked: tf.NamedTensorMap = {};
    for (const { v, mask } of this.params) {
      let g = grads[v.name];
      if (weightDecay > 0) g = tf.add(g, tf.mul(v, weightDecay));
      // Zero gradients keep Adam's moments at 0 for masked weights...
      masked[v.name] = mask ? tf.mul(g, mask) : g;
    }
    optimizer.applyGradients(masked);
    // ...and re-masking makes "exactly 0" independent of the optimizer's arithmetic.
    for (const { v, mask } of this.params) if (mask) v.assign(tf.mul(v, mask));
  }

  /** One optimizer step on this core; returns the batch's mean loss (caller disposes). */
  private step(batch: Batch, optimizer: Optimizer, weightDecay: number): tf.Scalar {
    return this.stepWith(() => this.lossAndGradients(batch), optimizer, weightDecay);
  }

  /** One optimizer step on this core from a batch's image bytes, through the tape-free step. */
  private byteStep(direct: WasmStep, batch: ByteBatch, optimizer: Optimizer, weightDecay: number): tf.Scalar {
    return this.stepWith(
      () => this.tapeFreeLossAndGradients(direct, batch.pixels, batch.labels),
      optimizer,
      weightDecay,
    );
  }

  private stepWith(lossAndGradients: () => LossAndGradients, optimizer: Optimizer, weightDecay: number): tf.Scalar {
    return tf.tidy(() => {
      const { value, grads } = lossAndGradients();
      this.applyGradients(grads, optimizer, weightDecay);
      return value;
    });
  }

  /** One optimizer step with the batch split between this network and its peers. */
  private async parallelStep(
    batch: Batch,
    peers: readonly GradientPeer[],
    optimizer: Optimizer,
    weightDecay: number,
  ): Promise<tf.Scalar> {
    const [mine, ...theirs] = splitBatch(batch, peers.length + 1);
    if (theirs.length === 0) return this.step(batch, optimizer, weightDecay);
    const weights = this.weightArrays();
    // Started before this core's share, so that the peers work at the same time.
    const remote = Promise.all(theirs.map((part, i) => peers[i].gradients(weights, part)));
    remote.catch(() => {}); // awaited below; this only silences the rejection while we compute
    const local = tf.tidy(() => this.lossAndGradients(mine));
    let parts: PartGradients[];
    try {
      parts = await remote;
    } catch (error) {
      tf.dispose([local.value, ...Object.values(local.grads)]);
      throw error;
    }
    try {
      return tf.tidy(() => {
        const share = (size: number): number => size / batch.size;
        const combined: tf.NamedTensorMap = {};
        this.params.forEach(({ v }, k) => {
          let g = tf.mul(local.grads[v.name], share(mine.size));
          parts.forEach((p, i) => {
            g = tf.add(g, tf.mul(tf.tensor(p.grads[k], v.shape), share(theirs[i].size)));
          });
          combined[v.name] = g;
        });
        this.applyGradients(combined, optimizer, weightDecay);
        let loss = tf.mul(local.value, share(mine.size));
        parts.forEach((p, i) => {
          loss = tf.add(loss, p.loss * share(theirs[i].size));
        });
        return loss as tf.Scalar;
      });
    } finally {
      tf.dispose([local.value, ...Object.values(local.grads)]);
    }
  }

  /** What a gradient peer needs to build a replica holding the same tensors. */
  blueprint(): NetworkBlueprint {
    return {
      genome: this.genome,
      input: { ...this.input },
      poolSize: this.poolSize,
      compact: this.compact,
      channelMultiple: this.channelMultiple,
      tapeFreeStep: this.tapeFree,
    };
  }

  /** Copies of the variables' values, in variable order. */
  weightArrays(): Float32Array[] {
    this.check();
    return this.params.map((p) => p.v.dataSync() as Float32Array);
  }

  /** Overwrites the variables (a replica taking its network's current weights). */
  setWeightArrays(weights: readonly Float32Array[]): void {
    this.check();
    if (weights.length !== this.params.length)
      throw new Error(`setWeightArrays: ${weights.length} arrays for ${this.params.length} variables`);
    this.params.forEach(({ v }, k) => {
      if (weights[k].length !== v.size)
        throw new Error(`setWeightArrays: ${v.name} has ${v.size} values, got ${weights[k].length}`);
      tf.tidy(() => v.assign(tf.tensor(weights[k], v.shape)));
    });
  }

  /** Mean loss and its gradients over `batch` at the current weights (no step is taken). */
  partGradients(batch: Batch): PartGradients {
    this.check();
    const r = tf.tidy(() => this.lossAndGradients(batch));
    try {
      return {
        loss: r.value.dataSync()[0],
        grads: this.params.map(({ v }) => r.grads[v.name].dataSync() as Float32Array),
      };
    } finally {
      tf.dispose([r.value, ...Object.values(r.grads)]);
    }
  }

  private getOptimizer(s: TrainSettings): Optimizer {
    // Per backend too: the fused Adam holds wasm tensors and runs only there.
    const key = `${tf.getBackend()}:${optimizerKey(s)}`;
    if (!this.optimizer || this.optimizerFor !== key) {
      if (this.optimizer) disposeOptimizer(this.optimizer);
      this.optimizer = makeOptimizer(s);
      this.optimizerFor = key;
    }
    return this.optimizer;
  }

  /**
   * Trains on `data[indices]`, reshuffling them with `rng` every epoch. The optimizer (and
   * Adam's moments) persists across calls with the same optimizer settings.
   */
  async train(
    data: ImageDataset,
    indices: ArrayLike<number>,
    settings: TrainSettings,
    rng: Rng,
    hooks: TrainHooks = {},
  ): Promise<TrainResult> {
    this.check();
    if (this.training) throw new Error('MaskedNetwork.train: already training');
    validateTrainSettings(settings);
    this.checkData(data, indices);
    this.training = true;
    try {
      return await this.trainEpochs(data, indices, settings, rng, hooks);
    } finally {
      this.training = false;
    }
  }

  private async trainEpochs(
    data: ImageDataset,
    indices: ArrayLike<number>,
    settings: TrainSettings,
    rng: Rng,
    hooks: TrainHooks,
  ): Promise<TrainResult> {
    const t0 = performance.now();
    const optimizer = this.getOptimizer(settings);
    const peers = hooks.peers ?? [];
    for (const peer of peers) if (peer.loaded !== this.key) await peer.load(this.key, this.blueprint());
    const order = Int32Array.from(indices);
    const n = order.length;
    const batches = Math.ceil(n / settings.batchSize);
    const epochLosses: number[] = [];
    let images = 0;
    let stopped = false;
    for (let epoch = 1; epoch <= settings.epochs && !stopped && n > 0; epoch++) {
      rng.shuffle(order);
      let sum: tf.Scalar = tf.scalar(0);
      try {
        for (let b = 0; b < batches; b++) {
          if (hooks.shouldStop?.()) {
            stopped = true;
            break;
          }
          const [start, end] = [b * settings.batchSize, Math.min(n, (b + 1) * settings.batchSize)];
          const size = end - start;
          // The tape-free step scales the image bytes itself, in one SIMD pass.
          const direct = peers.length === 0 ? this.tapeFreeStep(size) : null;
          const loss = direct
            ? this.byteStep(direct, makeByteBatch(data, order, start, end), optimizer, settings.weightDecay)
            : peers.length > 0
              ? await this.parallelStep(makeBatch(data, order, start, end), peers, optimizer, settings.weightDecay)
              : this.step(makeBatch(data, order, start, end), optimizer, settings.weightDecay);
          const next = tf.tidy(() => tf.add(sum, tf.mul(loss, size)) as tf.Scalar);
          sum.dispose();
          sum = next;
          images += size;
          if (hooks.onBatch) {
            const value = (await loss.data())[0];
            loss.dispose();
            await hooks.onBatch({
              epoch,
              epochs: settings.epochs,
              batch: b + 1,
              batches,
              loss: value,
              imagesSeen: images,
            });
            this.check(); // the hook may have disposed the network
          } else {
            loss.dispose();
          }
        }
        if (!stopped) epochLosses.push((await sum.data())[0] / n);
      } finally {
        sum.dispose();
      }
    }
    return { epochLosses, images, seconds: (performance.now() - t0) / 1000, stopped };
  }

  /**
   * The predicted class (top-1) of every image of `batch`. Read asynchronously: on webgpu a
   * synchronous read goes through a WebGPU canvas, which crashes SwiftShader's GPU process now and
   * then (the device is then lost).
   */
  async predictions(batch: Batch): Promise<Int32Array> {
    this.check();
    const pred = tf.tidy(() => tf.argMax(this.forward(this.batchTensor(batch)), 1));
    try {
      return Int32Array.from(await pred.data());
    } finally {
      pred.dispose();
    }
  }

  /**
   * Top-1 accuracy on `data[indices]` (all of `data` by default); with `peers`, every batch is
   * split between this network and them.
   */
  async evaluate(
    data: ImageDataset,
    indices?: ArrayLike<number>,
    batchSize = 256,
    peers: readonly GradientPeer[] = [],
  ): Promise<EvalResult> {
    this.check();
    const idx = indices ?? range(data.count);
    this.checkData(data, idx);
    if (idx.length === 0) throw new Error('evaluate: no images');
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`evaluate: batchSize must be a positive integer, got ${batchSize}`);
    for (const peer of peers) if (peer.loaded !== this.key) await peer.load(this.key, this.blueprint());
    const weights = peers.length > 0 ? this.weightArrays() : [];
    let correct = 0;
    for (let start = 0; start < idx.length; start += batchSize) {
      const [mine, ...theirs] = splitBatch(makeBatch(data, idx, start, start + batchSize), peers.length + 1);
      const remote = Promise.all(theirs.map((part, i) => peers[i].predict(weights, part)));
      remote.catch(() => {}); // awaited below, after this core's share
      const parts = [mine, ...theirs];
      const predicted = [await this.predictions(mine), ...(await remote)];
      predicted.forEach((p, k) => {
        for (let i = 0; i < parts[k].size; i++) if (p[i] === parts[k].labels[i]) correct++;
      });
    }
    return { accuracy: correct / idx.length, correct, total: idx.length };
  }

  /**
   * toGenome() after reading the variables asynchronously (each backend then keeps a copy on the
   * CPU, which toGenome's synchronous reads return): see predictions() for why.
   */
  async readGenome(): Promise<Genome> {
    this.check();
    await Promise.all(this.params.map((p) => p.v.data()));
    return this.toGenome();
  }

  /** The current weights as a genome: masks unchanged, masked weights and dead biases exactly 0. */
  toGenome(): Genome {
    this.check();
    const g = cloneGenome(this.genome);
    g.layers.forEach((l: LayerGenes, i) => {
      const inIdx = i === 0 ? range(l.spec.inChannels) : this.keep.out[i - 1];
      const outIdx = this.keep.out[i];
      fromTfKernel(l, this.params[2 * i].v.dataSync(), inIdx, outIdx);
      const bias = this.params[2 * i + 1].v.dataSync();
      const live = liveFilters(l);
      outIdx.forEach((f, k) => {
        l.bias[f] = live[f] ? bias[k] : 0;
      });
    });
    const o = g.output;
    scatterRows(o.weights, o.outUnits, this.keep.out[3], this.params[8].v.dataSync());
    o.bias.set(this.params[9].v.dataSync());
    return g;
  }

  /** Frees the variables, masks and optimizer state. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.optimizer) disposeOptimizer(this.optimizer);
    this.optimizer = null;
    for (const p of this.params) {
      p.v.dispose();
      p.mask?.dispose();
    }
  }
}
