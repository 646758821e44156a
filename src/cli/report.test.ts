import { mkdtemp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../experiment/config';
import type { NetworkRecord, RunReport } from '../experiment/records';
import type { ReproducedCurves } from '../experiment/summary';
import { networkRecord } from '../testing/records';
import { paperTable, writeReport } from './report';

function fakeRun(
  mode: 'asexual' | 'sexual',
  seed: number,
  accuracies: number[],
  efficiency: (g: number) => number,
  dataset: 'mnist' | 'cifar10' = 'mnist',
): RunReport {
  const records = accuracies.map((testAccuracy, i): NetworkRecord =>
    networkRecord({
      generation: i + 1,
      individual: 0,
      mode,
      testAccuracy,
      synapticEfficiency: efficiency(i + 1),
      clusterEfficiency: Math.sqrt(efficiency(i + 1)),
      synapses: 1,
      kernels: 1,
    }),
  );
  return {
    config: resolveConfig({ dataset, mode, seed, trainSubset: 6000 }),
    environment: { backend: 'wasm', backendReason: 'test', runtime: 'node', tfjsVersion: '4.22.0', startedAt: '' },
    ancestor: { synapses: 143136, kernels: 7200 },
    records,
    configChanges: [],
    finished: true,
  };
}

describe('results report', () => {
  it('tabulates mean ± std over seeds, finds the ≥ 3-point drop, and draws the figures', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'evolab-report-'));
    const results = path.join(root, 'results');
    const runs: [string, RunReport][] = [
      ['asexual/seed1', fakeRun('asexual', 1, [0.97, 0.96, 0.95, 0.93], (g) => 1.5 ** (g - 1))],
      ['asexual/seed2', fakeRun('asexual', 2, [0.97, 0.96, 0.94, 0.92], (g) => 1.5 ** (g - 1))],
      ['sexual/seed1', fakeRun('sexual', 1, [0.97, 0.97, 0.965, 0.96], (g) => 2 ** (g - 1))],
    ];
    for (const [dir, run] of runs) {
      await mkdir(path.join(results, 'mnist-10pct', dir), { recursive: true });
      await writeFile(path.join(results, 'mnist-10pct', dir, 'run.json'), JSON.stringify(run));
    }
    await writeFile(path.join(results, 'NOTES.md'), 'We calibrated nothing.');
    const docs = path.join(root, 'docs');
    const pub = path.join(root, 'public');
    // A figure of an experiment that no longer exists is removed; other files are not.
    await mkdir(path.join(docs, 'figures'), { recursive: true });
    await writeFile(path.join(docs, 'figures', 'renamed-accuracy.svg'), '<svg/>');
    await writeFile(path.join(docs, 'figures', 'diagram.svg'), '<svg/>');
    const md = await writeReport(results, docs, pub);
    expect((await readdir(path.join(docs, 'figures'))).sort()).toEqual([
      'diagram.svg',
      'mnist-10pct-accuracy.svg',
      'mnist-10pct-cluster.svg',
      'mnist-10pct-synaptic.svg',
    ]);
    expect(md).toContain('We calibrated nothing.');
    expect(md).toContain('## mnist-10pct');
    // asexual generation 3: accuracies 95 and 94 → 94.50 ± 0.71
    expect(md).toContain('| asexual | 3 | 2 | 94.50 ± 0.71 |');
    // the asexual seed-mean drops 3.5 points at generation 4 (97 → 92.5); sexual never drops 3 points
    expect(md).toMatch(/\| asexual \| 97\.00 ± 0\.00 \| 4 \| 92\.50 ± 0\.71 \| 3\.38 ± 0\.00 \|/);
    expect(md).toMatch(/\| sexual \| 97\.00 ± 0\.00 \| none within 4 generations \|/);
    expect(md).toContain('| sexual | 8 | 97.4 | 258.37 | 34.29 |');
    expect(md).not.toContain('≥ 10 points');
    const svg = await readFile(path.join(docs, 'figures', 'mnist-10pct-synaptic.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('paper, sexual');

    // The lab's overlay: the same seed summaries in public/reproduced.json.
    const reproduced = JSON.parse(await readFile(path.join(pub, 'reproduced.json'), 'utf8')) as ReproducedCurves;
    expect(Number.isNaN(Date.parse(reproduced.generatedAt))).toBe(false);
    expect(reproduced.experiments).toHaveLength(1);
    const [exp] = reproduced.experiments;
    expect(exp).toMatchObject({
      name: 'mnist-10pct',
      dataset: 'mnist',
      description: '10 % MNIST, 1–2 seeds, 13 generations, defaults',
    });
    expect(Object.keys(exp.modes).sort()).toEqual(['asexual', 'sexual']);
    expect(exp.modes.asexual.seeds).toEqual([1, 2]);
    expect(exp.modes.sexual.seeds).toEqual([1]);
    const asexual3 = exp.modes.asexual.points.find((p) => p.generation === 3)!;
    expect(asexual3.accuracy.mean).toBeCloseTo(0.945, 6);
    expect(asexual3.accuracy.std).toBeCloseTo(0.00707107, 6);
    expect(asexual3.accuracy.n).toBe(2);
    expect(asexual3.synapticEfficiency.mean).toBeCloseTo(2.25, 6);
    expect(exp.modes.sexual.points.map((p) => p.synapticEfficiency.mean)).toEqual([1, 2, 4, 8]);
    // (numbers are kept to 6 significant digits)
    exp.modes.sexual.points.forEach((p, i) => expect(p.clusterEfficiency.mean).toBeCloseTo(Math.sqrt(2 ** i), 5));
  });

  it('on CIFAR-10 also finds the ≥ 10-point drop, where the paper compares the modes', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'evolab-report-'));
    const dir = path.join(root, 'results', 'cifar', 'sexual', 'seed1');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'run.json'),
      JSON.stringify(fakeRun('sexual', 1, [0.56, 0.55, 0.52, 0.45], (g) => 2 ** (g - 1), 'cifar10')),
    );
    const md = await writeReport(path.join(root, 'results'), path.join(root, 'docs'), path.join(root, 'public'));
    expect(md).toContain('### First generation with accuracy ≥ 3 points below the ancestor');
    expect(md).toMatch(/≥ 3 points[^#]*\| sexual \| 56\.00 ± 0\.00 \| 3 \| 52\.00 ± 0\.00 \| 4\.00 ± 0\.00 \|/);
    expect(md).toMatch(/≥ 10 points[^#]*\| sexual \| 56\.00 ± 0\.00 \| 4 \| 45\.00 ± 0\.00 \| 8\.00 ± 0\.00 \|/);
  });

  it('says so where the paper has no runs on the dataset, instead of an empty table', () => {
    expect(paperTable('fashion-mnist')).toBe('The paper reports no runs on Fashion-MNIST.');
    expect(paperTable('mnist').split('\n').length).toBeGreaterThan(2);
  });

  it('describes experiments whose settings differ from the defaults', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'evolab-report-'));
    const run = fakeRun('asexual', 3, [0.97, 0.9], () => 1);
    run.config.synthesis.budget.rho = 0.5;
    run.config.trainSubset = null;
    await mkdir(path.join(root, 'results', 'rho', 'asexual', 'seed3'), { recursive: true });
    await writeFile(path.join(root, 'results', 'rho', 'asexual', 'seed3', 'run.json'), JSON.stringify(run));
    await writeReport(path.join(root, 'results'), path.join(root, 'docs'), path.join(root, 'public'));
    const reproduced = JSON.parse(
      await readFile(path.join(root, 'public', 'reproduced.json'), 'utf8'),
    ) as ReproducedCurves;
    expect(reproduced.experiments[0].description).toBe(
      'full MNIST, 1 seed, 13 generations, changed: synthesis.budget.rho',
    );
  });
});
