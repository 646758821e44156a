/**
 * `npm run evolve -- --export-model`: a short run's generation exported as files, then loaded in
 * a fresh process by plain `tf.loadLayersModel`, gets the record's test accuracy.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { generationFile, unpackGeneration } from '../experiment/genome-history';
import type { RunReport } from '../experiment/records';
import { compactKeep } from '../nn/model/layout';
import { datasetsDir } from '../testing/data';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

async function tsx(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, args, { cwd: REPO_ROOT, maxBuffer: 1 << 24 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
const evolve = (args: string[]) => tsx(['src/cli/evolve.ts', ...args]);

let root: string;
let runDir: string;
let report: RunReport;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'evolab-export-'));
  runDir = path.join(root, 'run');
  // A tight budget (ρ 0.4) so that whole filters die within two generations of offspring.
  const run = await evolve([
    ...['--dataset', 'mnist', '--data-dir', datasetsDir(), '--mode', 'asexual', '--rho', '0.4'],
    ...['--generations', '3', '--epochs', '1', '--ancestor-epochs', '3', '--train-subset', '1000'],
    ...['--test-subset', '300', '--seed', '2', '--threads', '1', '--quiet', '--out', runDir],
  ]);
  expect(run.stderr).toMatch(/done:/);
  report = JSON.parse(await readFile(path.join(runDir, 'run.json'), 'utf8')) as RunReport;
}, 600_000);

describe('npm run evolve -- --export-model', () => {
  it('exports generation N compacted; a fresh tf.loadLayersModel gets the record’s accuracy', async () => {
    const out = path.join(root, 'g3');
    const exported = await evolve(['--export-model', '3', '--run', runDir, '--out', out]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/generation 3 network 0 .*model\.json/);
    expect(exported.stderr).toMatch(/ancestor: [\d.]+ KB, 143,978 parameters/);
    const summary = JSON.parse(exported.stdout);

    const loaded = await tsx(['src/testing/load-exported-model.ts', out, datasetsDir(), 'mnist', '300', '2']);
    expect(loaded.code).toBe(0);
    const fresh = JSON.parse(loaded.stdout) as {
      backend: string;
      correct: number;
      total: number;
      parameters: number;
      layers: { name: string; kernel: number[] | null }[];
      metadata: Record<string, unknown>;
    };
    const record = report.records.find((r) => r.generation === 3)!;
    // Not EvoLab's wasm kernels: tfjs' own, in a process that imported nothing of EvoLab's network.
    expect(fresh.backend).toBe('cpu');
    expect(fresh.total).toBe(record.testImages);
    expect(fresh.correct / fresh.total).toBe(record.testAccuracy);

    // Physically smaller than the masked network (which holds every filter), by the filters that cannot matter.
    const masked = 143_136 + 32 + 32 + 64 + 64 + 64 * 10 + 10;
    expect(fresh.parameters).toBeLessThan(masked);
    expect(fresh.parameters).toBe(record.exportParameters);
    expect(summary.exported.parameters).toBe(fresh.parameters);
    const genome = unpackGeneration(JSON.parse(await readFile(path.join(runDir, generationFile(3)), 'utf8')), 'gen-3')
      .population[0];
    const kept = compactKeep(genome.layers, 1).out.map((k) => k.length);
    expect(kept.some((n, i) => n < genome.layers[i].spec.filters)).toBe(true);
    expect(fresh.layers.filter((l) => l.kernel).map((l) => [l.name, l.kernel])).toEqual([
      ['conv1', [5, 5, 1, kept[0]]],
      ['conv2', [5, 5, kept[0], kept[1]]],
      ['conv3', [5, 5, kept[1], kept[2]]],
      ['fc1', [16 * kept[2], kept[3]]],
      ['fc2', [kept[3], 10]],
    ]);
    expect(fresh.metadata).toMatchObject({ generation: 3, dataset: 'mnist', testAccuracy: record.testAccuracy });
    // The record's size is the export's: the same files, byte for byte.
    const files = await Promise.all(['model.json', 'group1-shard1of1.bin'].map((f) => readFile(path.join(out, f))));
    expect(files[0].length + files[1].length).toBe(record.exportBytes);
    // And generations.csv says so too.
    const csv = (await readFile(path.join(runDir, 'generations.csv'), 'utf8')).trim().split('\n');
    const row = Object.fromEntries(csv[0].split(',').map((h, i) => [h, csv[3].split(',')[i]]));
    expect(Number(row.export_bytes)).toBe(record.exportBytes);
    expect(Number(row.export_parameters)).toBe(record.exportParameters);
    expect(Number(row.inference_images_per_second)).toBeGreaterThan(0);
  }, 300_000);

  it('exports the chosen network and checks its accuracy with --data-dir', async () => {
    const out = path.join(root, 'g1');
    const r = await evolve(['--export-model', '1:0', '--run', runDir, '--out', out, '--data-dir', datasetsDir()]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.test.correct / summary.test.total).toBe(report.records[0].testAccuracy);
    expect(summary.exported.parameters).toBe(143_978);
  }, 300_000);

  it('explains bad input', async () => {
    const out = path.join(root, 'bad');
    const cases: [string[], RegExp][] = [
      [['--export-model', 'last', '--run', runDir], /takes a generation and optionally a network, as GEN or GEN:NET/],
      [['--export-model', '3', '--out', out], /needs the run folder to export from: --run RUNDIR/],
      [['--export-model', '3', '--run', runDir], /say where to write the model: --out DIR/],
      [['--export-model', '9', '--run', runDir, '--out', out], /has no generation 9 \(its generations are 1 to 3\)/],
      [
        ['--export-model', '3:1', '--run', runDir, '--out', out],
        /generation 3 has no network 1 \(its networks are 0\)/,
      ],
      [['--export-model', '3', '--run', path.join(root, 'nothing'), '--out', out], /run\.json does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = await evolve(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    // A run from before genomes/ existed keeps only its last generation, in checkpoint.json.
    await rm(path.join(runDir, generationFile(2)));
    const old = await evolve(['--export-model', '2', '--run', runDir, '--out', out]);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/keeps no networks of generation 2: .* checkpoint\.json holds generation 3/);
  }, 300_000);
});
