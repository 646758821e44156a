/**
 * `npm run evolve -- --export-model GEN[:NET] --run RUNDIR --out DIR`: one network of a finished
 * (or running) run as a TensorFlow.js LayersModel, compacted, with its size and inference speed
 * beside the ancestor's; with --data-dir, its accuracy on the run's test images beside the record's.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeBatch } from '../data';
import type { Genome } from '../evolution';
import { startBackend } from '../experiment/environment';
import { generationFile, unpackGeneration } from '../experiment/genome-history';
import { chooseNetwork, exportRunNetwork, exportSpeed } from '../experiment/model-export';
import type { NetworkRecord, RunReport } from '../experiment/records';
import { deserialiseCheckpoint } from '../experiment/serialise';
import { subsetIndices } from '../experiment/subsets';
import { MODEL_FILE, WEIGHTS_FILE } from '../nn/model/export';
import type { CliIo } from './cli-io';
import { UsageError, type CliFlags } from './flags';
import { loadRunData } from './run-data';

export function parseNetworkSpec(text: string): { generation: number; individual?: number } {
  const m = /^\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(text);
  if (!m || Number(m[1]) < 1)
    throw new UsageError(
      `--export-model takes a generation and optionally a network, as GEN or GEN:NET (e.g. 13 or 13:1), not ${JSON.stringify(text)}`,
    );
  return { generation: Number(m[1]), ...(m[2] !== undefined ? { individual: Number(m[2]) } : {}) };
}

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`${file} does not exist: ${what}`);
  });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON (${(e as Error).message})`);
  }
}

/** Generation `generation`'s networks: its genomes/ file, else the checkpoint when that is the generation it holds. */
async function generationGenomes(runDir: string, generation: number): Promise<Genome[]> {
  const file = path.join(runDir, generationFile(generation));
  if (existsSync(file)) return unpackGeneration(await readJson(file, ''), file).population;
  const checkpointFile = path.join(runDir, 'checkpoint.json');
  if (existsSync(checkpointFile)) {
    const c = deserialiseCheckpoint(await readJson(checkpointFile, ''));
    if (c.generation === generation) return c.population;
    throw new UsageError(
      `${runDir} keeps no networks of generation ${generation}: ${file} does not exist and checkpoint.json holds generation ${c.generation} (runs made before genomes/ existed keep only their last generation)`,
    );
  }
  throw new UsageError(`${runDir} keeps no networks of generation ${generation} (no ${file}, no checkpoint.json)`);
}

/** The exported model's accuracy on the run's test images (the subset its seed picked). */
async function testAccuracy(
  dir: string,
  report: RunReport,
  dataDir: string,
): Promise<{ correct: number; total: number }> {
  const { test } = await loadRunData(report.config.dataset, dataDir);
  const indices = subsetIndices(test, report.config.testSubset, report.config.seed, 'test');
  const json = JSON.parse(await readFile(path.join(dir, MODEL_FILE), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weights = await readFile(path.join(dir, WEIGHTS_FILE));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: new Uint8Array(weights).buffer,
    }),
  );
  let correct = 0;
  try {
    for (let start = 0; start < indices.length; start += 256) {
      const b = makeBatch(test, indices, start, start + 256);
      const predicted = tf.tidy(() =>
        tf.argMax(model.predict(tf.tensor4d(b.x, [b.size, test.height, test.width, test.channels])) as tf.Tensor, 1),
      );
      const p = await predicted.data();
      predicted.dispose();
      for (let i = 0; i < b.size; i++) if (p[i] === b.labels[i]) correct++;
    }
  } finally {
    model.dispose();
  }
  return { correct, total: indices.length };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export async function exportModelCommand(flags: CliFlags, io: CliIo): Promise<number> {
  const { generation, individual } = parseNetworkSpec(flags['export-model']!);
  const runDir = flags.run;
  if (!runDir) throw new UsageError('--export-model needs the run folder to export from: --run RUNDIR');
  const outDir = flags.out;
  if (!outDir) throw new UsageError('say where to write the model: --out DIR');
  const quiet = flags.quiet ?? false;
  const say = (line: string) => {
    if (!quiet) io.stderr(`${line}\n`);
  };
  const report = (await readJson(
    path.join(runDir, 'run.json'),
    'give a folder written by npm run evolve (--out OUTDIR)',
  )) as RunReport;
  let record: NetworkRecord;
  try {
    record = chooseNetwork(report.records, generation, individual);
  } catch (e) {
    throw new UsageError(`${runDir}: ${(e as Error).message}`);
  }
  const genomes = await generationGenomes(runDir, generation);
  const genome = genomes[record.individual];
  if (!genome)
    throw new UsageError(
      `${runDir}: generation ${generation} keeps ${genomes.length} network(s), not network ${record.individual}`,
    );
  await startBackend('wasm');

  const exported = await exportRunNetwork(genome, record, report);
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, MODEL_FILE), JSON.stringify(exported.modelJson));
  await writeFile(path.join(outDir, WEIGHTS_FILE), exported.weights);
  const speed = await exportSpeed(genome, report);
  say(
    `generation ${generation} network ${record.individual} (test accuracy ${(100 * record.testAccuracy).toFixed(2)} %) → ${path.join(outDir, MODEL_FILE)}, ${WEIGHTS_FILE}`,
  );
  say(`  layers: ${exported.layers.map((l) => `${l.name} ${l.filters}/${l.ofFilters}`).join(', ')}`);

  // The ancestor beside it: generation 1's first network, when the run keeps it.
  let ancestor: { bytes: number; parameters: number; imagesPerSecond: number } | null = null;
  const ancestorRecord = report.records.find((r) => r.generation === 1 && r.individual === 0);
  const ancestorGenome = ancestorRecord
    ? await generationGenomes(runDir, 1).then(
        (g) => g[0],
        () => null,
      )
    : null;
  if (ancestorRecord && ancestorGenome) {
    const a = await exportRunNetwork(ancestorGenome, ancestorRecord, report);
    ancestor = { bytes: a.bytes, parameters: a.parameters, imagesPerSecond: await exportSpeed(ancestorGenome, report) };
  }
  const line = (what: string, x: { bytes: number; parameters: number; imagesPerSecond: number }) =>
    `  ${what}: ${kb(x.bytes)}, ${x.parameters.toLocaleString('en')} parameters, ${Math.round(x.imagesPerSecond).toLocaleString('en')} images/s (${tf.getBackend()}, one thread)`;
  const model = { bytes: exported.bytes, parameters: exported.parameters, imagesPerSecond: speed };
  say(line('exported', model));
  if (ancestor) {
    say(line('ancestor', ancestor));
    say(
      `  ${(ancestor.bytes / model.bytes).toFixed(1)}× smaller, ${(model.imagesPerSecond / ancestor.imagesPerSecond).toFixed(1)}× faster than the ancestor`,
    );
  } else say('  (the run does not keep its ancestor, so there is nothing to compare with)');

  let test: { correct: number; total: number; accuracy: number } | null = null;
  if (flags['data-dir'] !== undefined) {
    const r = await testAccuracy(outDir, report, flags['data-dir']);
    test = { ...r, accuracy: r.correct / r.total };
    say(
      `  test accuracy of the exported model: ${(100 * test.accuracy).toFixed(2)} % (${r.correct}/${r.total}); the record says ${(100 * record.testAccuracy).toFixed(2)} %`,
    );
  }
  io.stdout(
    JSON.stringify(
      {
        model: path.join(outDir, MODEL_FILE),
        generation,
        individual: record.individual,
        record: { testAccuracy: record.testAccuracy, testImages: record.testImages, synapses: record.synapses },
        exported: { ...model, layers: exported.layers },
        ancestor,
        test,
      },
      null,
      1,
    ) + '\n',
  );
  return 0;
}
