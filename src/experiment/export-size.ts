/**
 * Each network's real size and speed, for its record (issue 20): the bytes of its compacted
 * export (model.json + weights, nn/model/export.ts) and how many images per second that model
 * classifies, timed once on a fixed batch of test images (on one thread, after a warm-up call).
 */
import { makeBatch, type ImageDataset } from '../data';
import type { Genome } from '../evolution';
import { compactLayersModel, exportOf, inferenceSpeed, type ExportMetadata } from '../nn/model/export';

/** Test images timed per network: the first of the run's test subset, the same for every network. */
export const INFERENCE_BATCH = 256;

export interface ExportMeasure {
  /** Bytes of model.json plus its weight shard. */
  exportBytes: number;
  /** Weights and biases the exported model stores. */
  exportParameters: number;
  /** Images per second through the exported model (one batch, one thread). */
  inferenceImagesPerSecond: number;
}

export async function measureExport(
  genome: Genome,
  test: ImageDataset,
  testIndices: ArrayLike<number>,
  poolSize: number,
  /** model.json's metadata, as the export will write it (model-export.ts), so the bytes are the export's. */
  metadata: ExportMetadata,
): Promise<ExportMeasure> {
  const input = { height: test.height, width: test.width, channels: test.channels };
  const model = compactLayersModel(genome, input, { poolSize });
  try {
    const files = await exportOf(model, genome, input, metadata);
    const batch = makeBatch(test, testIndices, 0, Math.min(INFERENCE_BATCH, testIndices.length));
    return {
      exportBytes: files.bytes,
      exportParameters: files.parameters,
      inferenceImagesPerSecond: await inferenceSpeed(model, batch.x, input),
    };
  } finally {
    model.dispose();
  }
}
