/**
 * A network as the files a page downloads (model.json and its weight shard, tfjs' LayersModel
 * format, compacted: nn/model/export.ts), with its size and its speed in this Worker.
 */
import type { Genome } from '../evolution';
import { exportRunNetwork, exportSpeed } from '../experiment/model-export';
import type { NetworkRecord } from '../experiment/records';
import { MODEL_FILE, WEIGHTS_FILE } from '../nn/model/export';
import type { ExportedFile, ExportSummary, WorkerCommand } from './protocol';

export async function exportNetworkFiles(
  genome: Genome,
  record: NetworkRecord,
  run: Extract<WorkerCommand, { type: 'export-model' }>['run'],
): Promise<{ files: ExportedFile[]; summary: ExportSummary }> {
  const exported = await exportRunNetwork(genome, record, run);
  const json = new TextEncoder().encode(JSON.stringify(exported.modelJson));
  return {
    files: [
      { name: MODEL_FILE, bytes: json, type: 'application/json' },
      { name: WEIGHTS_FILE, bytes: exported.weights, type: 'application/octet-stream' },
    ],
    summary: {
      generation: record.generation,
      individual: record.individual,
      bytes: exported.bytes,
      parameters: exported.parameters,
      layers: exported.layers.map(({ name, filters, ofFilters }) => ({ name, filters, ofFilters })),
      imagesPerSecond: await exportSpeed(genome, run),
    },
  };
}
