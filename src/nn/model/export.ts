/**
 * An evolved network as a standard TensorFlow.js LayersModel (`model.json` + one weight shard,
 * loadable with `tf.loadLayersModel` anywhere tfjs runs), physically compacted: every filter
 * that cannot affect the output is left out (layout.compactKeep with no rounding), with the
 * matching input channels of the next layer, so the model is smaller and faster, not a masked
 * copy. What stays is exact: a dropped filter's output is 0 everywhere, or nothing reads it.
 * Dead kernels inside a kept filter stay as zeros (a dense layer cannot skip them).
 *
 *   conv1 5×5 same, ReLU → max-pool(p, stride 2, same) → conv2, ReLU → avg-pool → conv3, ReLU →
 *   avg-pool → flatten → fc1, ReLU → fc2, softmax
 *
 * ReLU before the max-pool equals the training network's ReLU after it (both are monotone); the
 * final softmax does not change the predicted class. The metadata (userDefinedMetadata) says
 * what the network is: class names, input shape and scaling, where it came from.
 */
import * as tf from '@tensorflow/tfjs';
import type { Genome } from '../../evolution/genome';
import { liveFilters } from '../../evolution/metrics';
import { compactKeep, gatherRows, range, toTfKernel } from './layout';
import type { InputShape } from './gradient-peer';

/** The shard's file name, as tensorflowjs_converter names a single shard. */
export const WEIGHTS_FILE = 'group1-shard1of1.bin';
export const MODEL_FILE = 'model.json';

/** What model.json's userDefinedMetadata holds (besides what the caller adds). */
export interface ExportMetadata {
  /** Label i's name, e.g. MNIST's '0'…'9'. */
  classNames?: readonly string[];
  /** Anything else worth keeping beside the model (dataset, generation, accuracy…); JSON-safe. */
  [key: string]: unknown;
}

export interface ExportedLayer {
  name: string;
  /** Kernel shape as stored: conv [kh, kw, in, out], dense [in, out]. */
  kernel: number[];
  /** Filters (or units) kept of the genome's. */
  filters: number;
  ofFilters: number;
}

export interface ExportedModel {
  /** The contents of model.json (tfjs' "layers-model" format), naming WEIGHTS_FILE. */
  modelJson: Record<string, unknown>;
  /** The single weight shard. */
  weights: Uint8Array;
  /** Weights and biases stored (dead kernels inside kept filters count: they are stored as zeros). */
  parameters: number;
  /** model.json's bytes (as written, UTF-8) plus the shard's: what a page downloads. */
  bytes: number;
  layers: ExportedLayer[];
}

export interface CompactModelOptions {
  /** Pooling window of the network (RunConfig.poolSize). */
  poolSize: number;
}

const relu = 'relu' as const;

/**
 * The compacted network as a tfjs LayersModel holding the genome's weights. The caller disposes
 * it (model.dispose()). Input: NHWC floats in [0, 1], as the network was trained on.
 */
export function compactLayersModel(genome: Genome, input: InputShape, options: CompactModelOptions): tf.LayersModel {
  const { poolSize } = options;
  const layers = genome.layers;
  if (layers.map((l) => l.spec.kind).join(',') !== 'conv,conv,conv,dense')
    throw new Error('compactLayersModel: expected layers conv,conv,conv,dense');
  const keep = compactKeep(layers, 1);
  const pool = (kind: 'max' | 'avg', name: string) =>
    (kind === 'max' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d)({
      name,
      poolSize,
      strides: 2,
      padding: 'same',
    });
  const conv = (i: number, first: boolean) =>
    tf.layers.conv2d({
      name: layers[i].spec.name,
      filters: keep.out[i].length,
      kernelSize: [layers[i].spec.kernelH, layers[i].spec.kernelW],
      padding: 'same',
      activation: relu,
      ...(first ? { inputShape: [input.height, input.width, input.channels] } : {}),
    });
  const model = tf.sequential({
    name: 'evolab',
    layers: [
      conv(0, true),
      pool('max', 'pool1'),
      conv(1, false),
      pool('avg', 'pool2'),
      conv(2, false),
      pool('avg', 'pool3'),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ name: layers[3].spec.name, units: keep.out[3].length, activation: relu }),
      tf.layers.dense({ name: 'fc2', units: genome.output.outUnits, activation: 'softmax' }),
    ],
  });
  const values: tf.Tensor[] = [];
  try {
    layers.forEach((l, i) => {
      const inIdx = i === 0 ? range(l.spec.inChannels) : keep.out[i - 1];
      const outIdx = keep.out[i];
      // Masked synapses are 0 in the kernel; dead filters' biases 0 (as the training network holds them).
      const weights = Float32Array.from(l.weights, (w, k) => (l.mask[k] ? w : 0));
      const kernel = toTfKernel(l, weights, inIdx, outIdx, (n) => new Float32Array(n));
      const shape =
        l.spec.kind === 'dense'
          ? [l.spec.kernelH * l.spec.kernelW * inIdx.length, outIdx.length]
          : [l.spec.kernelH, l.spec.kernelW, inIdx.length, outIdx.length];
      const live = liveFilters(l);
      values.push(tf.tensor(kernel, shape), tf.tensor(Float32Array.from(outIdx, (f) => (live[f] ? l.bias[f] : 0))));
    });
    const o = genome.output;
    values.push(tf.tensor(gatherRows(o.weights, o.outUnits, keep.out[3]), [keep.out[3].length, o.outUnits]));
    values.push(tf.tensor(o.bias.slice()));
    model.setWeights(values);
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    tf.dispose(values);
  }
  return model;
}

/** The layers' kept and total filters and kernel shapes, read back from the model. */
function describeLayers(model: tf.LayersModel, genome: Genome): ExportedLayer[] {
  const total = new Map<string, number>(genome.layers.map((l) => [l.spec.name, l.spec.filters]));
  total.set('fc2', genome.output.outUnits);
  return model.layers.flatMap((layer) => {
    const weights = layer.getWeights();
    if (!weights.length) return [];
    const kernel = [...weights[0].shape];
    return [
      {
        name: layer.name,
        kernel,
        filters: kernel[kernel.length - 1],
        ofFilters: total.get(layer.name) ?? kernel[kernel.length - 1],
      },
    ];
  });
}

/** model.json and its weight shard for `model`, as tfjs' own savers write them. */
export async function modelFiles(
  model: tf.LayersModel,
  metadata: ExportMetadata = {},
): Promise<{ modelJson: Record<string, unknown>; weights: Uint8Array }> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  const artifacts = saved as tf.io.ModelArtifacts | null;
  if (!artifacts?.weightSpecs || artifacts.weightData === undefined)
    throw new Error('modelFiles: the model saved no weights');
  const data = artifacts.weightData;
  const weights = new Uint8Array(Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data);
  return {
    modelJson: {
      modelTopology: artifacts.modelTopology,
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers} (EvoLab)`,
      convertedBy: null,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      userDefinedMetadata: { ...metadata },
    },
    weights,
  };
}

/** The files of a model made by compactLayersModel from `genome`, with its size and layer shapes. */
export async function exportOf(
  model: tf.LayersModel,
  genome: Genome,
  input: InputShape,
  metadata: ExportMetadata = {},
): Promise<ExportedModel> {
  const { modelJson, weights } = await modelFiles(model, {
    input: { height: input.height, width: input.width, channels: input.channels, scale: '1/255: pixels in [0, 1]' },
    output: 'class probabilities (softmax)',
    ...metadata,
  });
  return {
    modelJson,
    weights,
    parameters: model.countParams(),
    bytes: new TextEncoder().encode(JSON.stringify(modelJson)).length + weights.byteLength,
    layers: describeLayers(model, genome),
  };
}

/** The genome's compacted network as model.json + weight shard, with its size and layer shapes. */
export async function exportCompactModel(
  genome: Genome,
  input: InputShape,
  options: CompactModelOptions & { metadata?: ExportMetadata },
): Promise<ExportedModel> {
  const model = compactLayersModel(genome, input, options);
  try {
    return await exportOf(model, genome, input, options.metadata);
  } finally {
    model.dispose();
  }
}

/** Timed calls per speed measurement; the fastest counts (what else runs on the machine only slows a call down). */
export const SPEED_REPEATS = 3;

/**
 * Inference speed of `model` in images per second on `images` (NHWC floats in [0, 1], one
 * batch): the fastest of SPEED_REPEATS timed calls, after one untimed call that compiles and
 * warms the backend. One thread.
 */
export async function inferenceSpeed(
  model: tf.LayersModel,
  images: Float32Array,
  input: InputShape,
  now: () => number = () => performance.now(),
): Promise<number> {
  const count = images.length / (input.height * input.width * input.channels);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`inferenceSpeed: ${images.length} values are not whole images`);
  const x = tf.tensor4d(images, [count, input.height, input.width, input.channels]);
  try {
    const run = async () => {
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      y.dispose();
    };
    await run();
    let seconds = Infinity;
    for (let i = 0; i < SPEED_REPEATS; i++) {
      const t0 = now();
      await run();
      seconds = Math.min(seconds, (now() - t0) / 1000);
    }
    return seconds > 0 ? count / seconds : 0;
  } finally {
    x.dispose();
  }
}
