/**
 * Exporting one network of a run as a TensorFlow.js LayersModel (nn/model/export.ts), with what
 * it is in the model's metadata. Shared by `npm run evolve -- --export-model` and the lab's Worker.
 */
import type { Genome } from '../evolution';
import {
  compactLayersModel,
  exportCompactModel,
  inferenceSpeed,
  type ExportedModel,
  type ExportMetadata,
} from '../nn/model/export';
import type { RunConfig } from './config';
import { knownDataShape, type DataSummary } from './datasets';
import type { NetworkRecord } from './records';

export interface ModelInput {
  input: { height: number; width: number; channels: number };
  classNames: readonly string[];
}

/** The images and classes a run's networks take: from its data summary, or its registered dataset's. */
export function runModelInput(run: { config: Pick<RunConfig, 'dataset'>; data?: DataSummary }): ModelInput {
  const shape = run.data ?? knownDataShape(run.config.dataset);
  if (!shape)
    throw new Error(
      `the run does not record the shape of its ${run.config.dataset} images (it was made before EvoLab kept it); run it again to export its networks`,
    );
  return {
    input: { height: shape.height, width: shape.width, channels: shape.channels },
    classNames: shape.classNames,
  };
}

/** Generation `generation`'s network to export: `individual`, else the most accurate (the first on a tie). */
export function chooseNetwork(
  records: readonly NetworkRecord[],
  generation: number,
  individual?: number,
): NetworkRecord {
  const of = records.filter((r) => r.generation === generation);
  const last = Math.max(0, ...records.map((r) => r.generation));
  if (!of.length) throw new Error(`the run has no generation ${generation} (its generations are 1 to ${last})`);
  if (individual === undefined) return of.reduce((best, r) => (r.testAccuracy > best.testAccuracy ? r : best));
  const r = of.find((x) => x.individual === individual);
  if (!r)
    throw new Error(
      `generation ${generation} has no network ${individual} (its networks are ${of.map((x) => x.individual).join(', ')})`,
    );
  return r;
}

type RecordFacts = Pick<
  NetworkRecord,
  'generation' | 'individual' | 'mode' | 'testAccuracy' | 'testImages' | 'synapses' | 'kernels'
>;

/** What model.json says of the network: its classes, dataset, generation and record. */
export function exportMetadata(
  record: RecordFacts,
  run: { config: Pick<RunConfig, 'dataset' | 'seed'>; data?: DataSummary },
  classNames: readonly string[],
): ExportMetadata {
  return {
    classNames: [...classNames],
    dataset: run.data?.name ?? run.config.dataset,
    generation: record.generation,
    individual: record.individual,
    mode: record.mode,
    seed: run.config.seed,
    testAccuracy: record.testAccuracy,
    testImages: record.testImages,
    synapses: record.synapses,
    kernels: record.kernels,
    madeBy: 'EvoLab: evolutionary synthesis of compact networks (Chung et al. 2017)',
  };
}

/** The network's compacted export, its metadata naming the run's dataset, its generation and its record. */
export async function exportRunNetwork(
  genome: Genome,
  record: RecordFacts,
  run: { config: Pick<RunConfig, 'dataset' | 'poolSize' | 'seed'>; data?: DataSummary },
): Promise<ExportedModel> {
  const { input, classNames } = runModelInput(run);
  return exportCompactModel(genome, input, {
    poolSize: run.config.poolSize,
    metadata: exportMetadata(record, run, classNames),
  });
}

/** Images timed by exportSpeed: a fixed batch of pseudo-random pixels (the speed does not depend on them). */
export const SPEED_BATCH = 256;

/** Images per second through the compacted model of `genome` (one batch of SPEED_BATCH, one thread). */
export async function exportSpeed(
  genome: Genome,
  run: { config: Pick<RunConfig, 'dataset' | 'poolSize'>; data?: DataSummary },
): Promise<number> {
  const { input } = runModelInput(run);
  const model = compactLayersModel(genome, input, { poolSize: run.config.poolSize });
  try {
    const per = input.height * input.width * input.channels;
    const images = Float32Array.from({ length: SPEED_BATCH * per }, (_, i) => ((i * 2654435761) >>> 24) / 255);
    return await inferenceSpeed(model, images, input);
  } finally {
    model.dispose();
  }
}
