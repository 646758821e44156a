/**
 * The pieces stored artefacts are made of, each read field by field (artefact-reader.ts): a run
 * configuration, network records, the environment, a genome. artefacts.ts puts them together
 * per kind of document.
 */
import { LENET_CLASSES, type Genome, type LayerGenes, type LayerSpec } from '../evolution';
import { REGISTRY } from '../data/registry';
import { ConfigError, MODES, resolveConfig, type DeepPartial, type RunConfig } from './config';
import type { DataSummary } from './datasets';
import type { ConfigChange, EnvironmentInfo, KernelMaskSummary, NetworkRecord } from './records';
import { child, type Json, Reader, shown } from './artefact-reader';

/**
 * Every field a run configuration had in schema version 1. A stored configuration must hold
 * them all (a missing trainSubset would silently mean all 60,000 images); fields added later
 * take their defaults when an older document lacks them.
 */
export const CONFIG_V1_PATHS = [
  'dataset',
  'mode',
  'population',
  'parents',
  'parentSelection',
  'generations',
  'ancestorEpochs',
  'epochsPerGeneration',
  'training.batchSize',
  'training.optimizer',
  'training.learningRate',
  'training.momentum',
  'training.weightDecay',
  'synthesis.clusterNormaliser',
  'synthesis.synapseNormaliser',
  'synthesis.truncation',
  'synthesis.strength',
  'synthesis.budget.mode',
  'synthesis.budget.rho',
  'synthesis.budget.reference',
  'synthesis.budget.clusterFactor',
  'synthesis.budget.hardBound',
  'synthesis.inheritance',
  'mating.cluster',
  'mating.synapse',
  'trainSubset',
  'testSubset',
  'seed',
  'backend',
  'poolSize',
] as const;

/** A complete run configuration as a run stored it, checked as resolveConfig checks a new one. */
export function readStoredConfig(r: Reader, v: unknown, field: string): RunConfig {
  const doc = r.object(v, field);
  for (const path of CONFIG_V1_PATHS) {
    let at: unknown = doc;
    let where = field;
    for (const key of path.split('.')) {
      if (!at || typeof at !== 'object' || Array.isArray(at)) r.fail(where, `must be an object (got ${shown(at)})`);
      at = (at as Json)[key];
      where = child(where, key);
      if (at === undefined)
        r.fail(
          where,
          'is missing',
          'A stored run keeps every setting; without it the run cannot be continued as it was',
        );
    }
  }
  return resolveChecked(r, doc as DeepPartial<RunConfig>, field);
}

/** resolveConfig, with its problems reported against the document. */
export function resolveChecked(r: Reader, partial: DeepPartial<RunConfig>, field: string): RunConfig {
  try {
    return resolveConfig(partial);
  } catch (e) {
    if (e instanceof ConfigError) r.fail(field, `is not a valid run configuration: ${e.problems.join('; ')}`);
    throw e;
  }
}

export function readEnvironment(r: Reader, v: unknown, field: string): EnvironmentInfo {
  const e = r.object(v, field);
  const text = (key: string) => r.string(e[key], child(field, key));
  const env: EnvironmentInfo = {
    backend: text('backend'),
    backendReason: text('backendReason'),
    runtime: text('runtime'),
    tfjsVersion: text('tfjsVersion'),
    startedAt: text('startedAt'),
  };
  const threads = r.optional(e.threads, (x) => r.number(x, child(field, 'threads'), { integer: true, min: 1 }));
  if (threads !== undefined) env.threads = threads;
  const kernels = r.optional(e.wasmKernels, (x) =>
    r.oneOf(x, child(field, 'wasmKernels'), ['evolab-simd', 'tfjs'] as const),
  );
  if (kernels !== undefined) env.wasmKernels = kernels;
  return { ...e, ...env };
}

export function readAncestor(r: Reader, v: unknown, field: string): { synapses: number; kernels: number } {
  const a = r.object(v, field);
  return {
    synapses: r.number(a.synapses, child(field, 'synapses'), { integer: true, min: 0 }),
    kernels: r.number(a.kernels, child(field, 'kernels'), { integer: true, min: 0 }),
  };
}

/**
 * Mid-run settings changes, with each changed setting's value before and after (`from`/`to`,
 * absent in documents written before they were kept): without them the starting configuration
 * and the CSV's per-generation settings could not be rebuilt.
 */
export function readConfigChanges(r: Reader, v: unknown, field: string): ConfigChange[] {
  return r.array(v, field).map((c, i) => {
    const at = child(field, i);
    const o = r.object(c, at);
    const changed = r.array(o.changed, child(at, 'changed')).map((s, k) => r.string(s, child(child(at, 'changed'), k)));
    const values = (key: 'from' | 'to') =>
      r.optional(o[key], (x) => {
        const kept = r.object(x, child(at, key));
        for (const path of Object.keys(kept))
          if (!changed.includes(path)) r.fail(child(child(at, key), path), 'is not among the changed settings');
        return kept;
      });
    const from = values('from');
    const to = values('to');
    return {
      generation: r.number(o.generation, child(at, 'generation'), { integer: true, min: 1 }),
      changed,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    };
  });
}

const count = { integer: true, min: 0 } as const;
const SYNTHESIS_NUMBERS = [
  'parents',
  'nRef',
  'k',
  'meanProbability',
  'expectedRaw',
  'expectedAfter',
  'synapses',
  'retention',
  'aliveInAllParents',
  'aliveInSomeParents',
  'parentUnion',
  'parentIntersection',
  'hardBoundDropped',
];

/** One network of one generation, as run.json, the lab's session and its exports hold it. */
export function readRecord(r: Reader, v: unknown, field: string): NetworkRecord {
  const o = r.object(v, field);
  const at = (key: string) => child(field, key);
  const num = (key: string, rule = {}) => r.number(o[key], at(key), rule);
  const perLayer = r.array(o.perLayer, at('perLayer')).map((l, i) => {
    const where = child(at('perLayer'), i);
    const p = r.object(l, where);
    return {
      name: r.string(p.name, child(where, 'name')),
      synapses: r.number(p.synapses, child(where, 'synapses'), count),
      kernels: r.number(p.kernels, child(where, 'kernels'), count),
      effectiveKernels: r.number(p.effectiveKernels, child(where, 'effectiveKernels'), count),
      clusters: r.number(p.clusters, child(where, 'clusters'), count),
    };
  });
  let synthesis: NetworkRecord['synthesis'] = null;
  if (o.synthesis !== null) {
    const s = r.object(o.synthesis, at('synthesis'));
    for (const key of SYNTHESIS_NUMBERS)
      if (s[key] !== null) r.number(s[key], child(at('synthesis'), key), { nullAs: NaN });
    r.boolean(s.reachable, child(at('synthesis'), 'reachable'));
    r.array(s.supportHistogram, child(at('synthesis'), 'supportHistogram')).forEach((x, i) =>
      r.number(x, child(child(at('synthesis'), 'supportHistogram'), i), count),
    );
    synthesis = s as unknown as NetworkRecord['synthesis'];
  }
  const record: NetworkRecord = {
    generation: num('generation', { integer: true, min: 1 }),
    mode: r.oneOf(o.mode, at('mode'), MODES),
    individual: num('individual', count),
    parents: r.array(o.parents, at('parents')).map((p, i) => r.number(p, child(at('parents'), i), count)),
    testAccuracy: num('testAccuracy', { min: 0, max: 1 }),
    testImages: num('testImages', count),
    synapses: num('synapses', count),
    kernels: num('kernels', count),
    effectiveKernels: num('effectiveKernels', count),
    clusters: num('clusters', count),
    synapticEfficiency: num('synapticEfficiency', { min: 0, nullAs: Infinity }),
    clusterEfficiency: num('clusterEfficiency', { min: 0, nullAs: Infinity }),
    storageBytes: num('storageBytes', { min: 0 }),
    denseBytes: num('denseBytes', { min: 0 }),
    perLayer,
    trainSeconds: num('trainSeconds', { min: 0 }),
    trainImages: num('trainImages', count),
    imagesPerSecond: num('imagesPerSecond', { min: 0, nullAs: 0 }),
    // A diverged training step gives a NaN loss, which JSON stores as null.
    epochLosses: r
      .array(o.epochLosses, at('epochLosses'))
      .map((x, i) => (x === null ? NaN : r.number(x, child(at('epochLosses'), i)))),
    synthesis,
    kernelMasks: r
      .array(o.kernelMasks, at('kernelMasks'))
      .map((k, i) => readKernelMask(r, k, child(at('kernelMasks'), i))),
  };
  return { ...o, ...record };
}

function readKernelMask(r: Reader, v: unknown, field: string): KernelMaskSummary {
  const o = r.object(v, field);
  const filters = r.number(o.filters, child(field, 'filters'), { integer: true, min: 1, max: 65_536 });
  const inChannels = r.number(o.inChannels, child(field, 'inChannels'), { integer: true, min: 1, max: 65_536 });
  const hex = r.string(o.aliveHex, child(field, 'aliveHex'), { max: 1 << 24 });
  const digits = Math.ceil((filters * inChannels) / 4);
  if (hex.length !== digits || !/^[0-9a-f]*$/i.test(hex))
    r.fail(child(field, 'aliveHex'), `must be ${digits} hexadecimal digits (one bit per kernel)`);
  return {
    layer: r.string(o.layer, child(field, 'layer')),
    filters,
    inChannels,
    aliveHex: hex,
    aliveKernels: r.number(o.aliveKernels, child(field, 'aliveKernels'), {
      integer: true,
      min: 0,
      max: filters * inChannels,
    }),
    aliveFilters: r.number(o.aliveFilters, child(field, 'aliveFilters'), { integer: true, min: 0, max: filters }),
    // The filters' strengths as parents (the mating view's); absent in runs recorded before them.
    ...(o.clusterStrength === undefined
      ? {}
      : {
          clusterStrength: r
            .array(o.clusterStrength, child(field, 'clusterStrength'), { min: filters, max: filters })
            .map((x, i) => r.number(x, child(child(field, 'clusterStrength'), i), { min: 0 })),
        }),
  };
}

export function readRecords(r: Reader, v: unknown, field: string): NetworkRecord[] {
  const records = r.array(v, field).map((x, i) => readRecord(r, x, child(field, i)));
  const seen = new Set<string>();
  records.forEach((rec, i) => {
    const key = `${rec.generation}/${rec.individual}`;
    if (seen.has(key))
      r.fail(
        child(field, i),
        `repeats generation ${rec.generation}, network ${rec.individual} (each is recorded once)`,
      );
    seen.add(key);
  });
  return records;
}

/**
 * What a run learnt from (issue 20): its images' shape and classes. Absent in runs recorded
 * before it existed; a run of an IDX or picture folder needs it to know its networks' shape.
 */
export function readDataSummary(r: Reader, v: unknown, field: string): DataSummary {
  const o = r.object(v, field);
  const at = (key: string) => child(field, key);
  const classNames = r
    .array(o.classNames, at('classNames'), { min: 2, max: 10_000 })
    .map((x, i) => r.string(x, child(at('classNames'), i), { max: 200 }));
  return {
    ...o,
    name: r.string(o.name, at('name'), { nonEmpty: true, max: 500 }),
    height: r.number(o.height, at('height'), dimension),
    width: r.number(o.width, at('width'), dimension),
    channels: r.number(o.channels, at('channels'), { integer: true, min: 1, max: 4 }),
    classNames,
    trainImages: r.number(o.trainImages, at('trainImages'), count),
    testImages: r.number(o.testImages, at('testImages'), count),
  };
}

/** Image channels of a dataset's networks (1 for MNIST's grey digits, 3 for CIFAR-10's colour). */
export const channelsOf = (dataset: string): number | undefined =>
  Object.hasOwn(REGISTRY, dataset) ? REGISTRY[dataset as keyof typeof REGISTRY].channels : undefined;

/** Typed-array fields: base64 text in a JSON file, the typed array itself in IndexedDB. */
function readFloats(r: Reader, v: unknown, field: string, length: number): Float32Array {
  let values: Float32Array;
  if (v instanceof Float32Array) values = v;
  else {
    const bytes = readBase64(r, v, field);
    if (bytes.length !== length * 4) r.fail(field, `holds ${bytes.length / 4} numbers, expected ${length}`);
    values = new Float32Array(bytes.buffer, bytes.byteOffset, length);
  }
  if (values.length !== length) r.fail(field, `holds ${values.length} numbers, expected ${length}`);
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i])) r.fail(field, `holds a value that is not a finite number (${values[i]}) at ${i}`);
  return values;
}

function readMask(r: Reader, v: unknown, field: string, length: number): Uint8Array {
  const mask = v instanceof Uint8Array ? v : readBase64(r, v, field);
  if (mask.length !== length) r.fail(field, `has ${mask.length} entries, expected ${length}`);
  for (let i = 0; i < mask.length; i++)
    if (mask[i] > 1) r.fail(field, `holds ${mask[i]} at ${i} (a mask holds only 0 and 1)`);
  return mask;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function readBase64(r: Reader, v: unknown, field: string): Uint8Array {
  if (v === undefined) r.fail(field, 'is missing');
  if (typeof v !== 'string') r.fail(field, `must be base64 text (got ${shown(v)})`);
  if (v.length % 4 !== 0 || !BASE64.test(v)) r.fail(field, 'is not base64');
  const binary = atob(v);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const dimension = { integer: true, min: 1, max: 65_536 } as const;

function readSpec(r: Reader, v: unknown, field: string): LayerSpec {
  const s = r.object(v, field);
  return {
    name: r.string(s.name, child(field, 'name'), { nonEmpty: true, max: 100 }),
    kind: r.oneOf(s.kind, child(field, 'kind'), ['conv', 'dense'] as const),
    filters: r.number(s.filters, child(field, 'filters'), dimension),
    inChannels: r.number(s.inChannels, child(field, 'inChannels'), dimension),
    kernelH: r.number(s.kernelH, child(field, 'kernelH'), dimension),
    kernelW: r.number(s.kernelW, child(field, 'kernelW'), dimension),
  };
}

/** A network: its layers chain (each takes the previous one's filters), the first takes `channels`. */
export function readGenome(
  r: Reader,
  v: unknown,
  field: string,
  channels: number,
  classes: number = LENET_CLASSES,
): Genome {
  const g = r.object(v, field);
  const layers: LayerGenes[] = r.array(g.layers, child(field, 'layers'), { min: 1, max: 64 }).map((l, i) => {
    const at = child(child(field, 'layers'), i);
    const o = r.object(l, at);
    const spec = readSpec(r, o.spec, child(at, 'spec'));
    const n = spec.filters * spec.inChannels * spec.kernelH * spec.kernelW;
    if (n > 1 << 26) r.fail(child(at, 'spec'), `describes ${n} synapses, more than any EvoLab network`);
    return {
      spec,
      weights: readFloats(r, o.weights, child(at, 'weights'), n),
      mask: readMask(r, o.mask, child(at, 'mask'), n),
      bias: readFloats(r, o.bias, child(at, 'bias'), spec.filters),
    };
  });
  layers.forEach((l, i) => {
    const expected = i === 0 ? channels : layers[i - 1].spec.filters;
    if (l.spec.inChannels !== expected)
      r.fail(
        child(child(child(field, 'layers'), i), 'spec.inChannels'),
        i === 0
          ? `is ${l.spec.inChannels}, but this run's images have ${channels} channel(s): the network belongs to another dataset`
          : `is ${l.spec.inChannels}, but the layer before has ${expected} filters`,
      );
  });
  const o = r.object(g.output, child(field, 'output'));
  const at = child(field, 'output');
  const last = layers[layers.length - 1].spec;
  const inUnits = r.number(o.inUnits, child(at, 'inUnits'), dimension);
  if (inUnits !== last.filters)
    r.fail(child(at, 'inUnits'), `is ${inUnits}, but ${last.name} has ${last.filters} filters`);
  const outUnits = r.number(o.outUnits, child(at, 'outUnits'), dimension);
  if (outUnits !== classes) r.fail(child(at, 'outUnits'), `is ${outUnits}, expected ${classes} classes`);
  return {
    layers,
    output: {
      inUnits,
      outUnits,
      weights: readFloats(r, o.weights, child(at, 'weights'), inUnits * outUnits),
      bias: readFloats(r, o.bias, child(at, 'bias'), outUnits),
    },
  };
}

/** Every network of a population has one architecture (mating needs it). */
export function checkSameArchitecture(r: Reader, population: Genome[], field: string): void {
  const shape = (g: Genome) =>
    g.layers.map((l) => `${l.spec.filters}×${l.spec.inChannels}×${l.spec.kernelH}×${l.spec.kernelW}`).join(' ');
  const first = shape(population[0]);
  population.forEach((g, i) => {
    if (shape(g) !== first)
      r.fail(
        child(field, i),
        `has layers ${shape(g)}, unlike ${child(field, 0)} (${first}); a population shares one architecture`,
      );
  });
}
