/**
 * The browser lab on wasm with tiny configurations from the URL: side-by-side runs finish and
 * their numbers match the exports, heatmaps show live and dead kernels, a corrupted dropped file
 * is refused without breaking anything, the page stays responsive, and a reload mid-run keeps
 * every finished generation and can resume.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkRecord, RunReport } from '../src/experiment/records';
import type { ReproducedCurves, SeedSummaryPoint } from '../src/experiment/summary';
import {
  blameLongTasks,
  dropFile,
  latestGenerations,
  launch,
  longTasksSince,
  newLabContext,
  now,
  openLab,
  outside,
  root,
  shot,
  traceMainThread,
  waitForGeneration,
  waitForStatuses,
} from './browser';

// 300 training and 200 test images, a 1-epoch ancestor, 2 generations of 1 epoch; ρ = 0.5 so
// that kernels visibly die in generation 2.
const TINY = 'generations=2&epochs=1&ancestorEpochs=1&train=300&test=200&backend=wasm&ancestor=train&rho=0.5';

/** PerformanceObserver's long tasks are those over 50 ms; a loaded shared machine may set a larger bound. */
const LONG_TASK_MS = Number(process.env.EVOLAB_E2E_LONG_TASK_MS ?? 50);

let browser: Awaited<ReturnType<typeof launch>>;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** A small public/reproduced.json: two MNIST experiments (the "default" one is shown first) and a CIFAR-10 one. */
const stat = (mean: number, std: number) => ({ mean, std, n: 3 });
const summary = (generation: number, accuracy: number, synaptic: number): SeedSummaryPoint => ({
  generation,
  accuracy: stat(accuracy, 0.004),
  bestAccuracy: stat(accuracy, 0.004),
  synapticEfficiency: stat(synaptic, synaptic / 10),
  clusterEfficiency: stat(Math.sqrt(synaptic), 0.1),
});
const REPRODUCED: ReproducedCurves = {
  generatedAt: '2025-01-01T00:00:00.000Z',
  experiments: [
    {
      name: 'mnist-rho0.5',
      dataset: 'mnist',
      description: 'ρ 0.5',
      modes: { asexual: { seeds: [1, 2, 3], points: [summary(1, 0.97, 1), summary(2, 0.9, 4)] } },
    },
    {
      name: 'mnist-10pct-default',
      dataset: 'mnist',
      description: '10 % MNIST, 3 seeds, 4 generations, defaults',
      modes: {
        asexual: { seeds: [1, 2, 3], points: [1, 2, 3, 4].map((g) => summary(g, 0.97 - 0.005 * g, 1.5 ** (g - 1))) },
        sexual: { seeds: [1, 2, 3], points: [1, 2, 3, 4].map((g) => summary(g, 0.97 - 0.003 * g, 2 ** (g - 1))) },
      },
    },
    {
      name: 'cifar-default',
      dataset: 'cifar10',
      description: '',
      modes: { sexual: { seeds: [1], points: [summary(1, 0.7, 1)] } },
    },
  ],
};

/** The most accurate network of each generation: what the charts and tables show. */
function best(records: NetworkRecord[]): Map<number, NetworkRecord> {
  const m = new Map<number, NetworkRecord>();
  for (const r of records) {
    const b = m.get(r.generation);
    if (!b || r.testAccuracy > b.testAccuracy || (r.testAccuracy === b.testAccuracy && r.individual < b.individual))
      m.set(r.generation, r);
  }
  return m;
}

async function download(
  page: Page,
  click: () => Promise<void>,
): Promise<{ name: string; text: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await d.path();
  const bytes = readFileSync(file);
  return { name: d.suggestedFilename(), text: bytes.toString('utf8'), bytes };
}

describe('the lab on wasm', () => {
  it('refuses a corrupted dropped file, then runs asexual and sexual side by side with numbers equal to the exports, and overlays our reproduced runs', async () => {
    const ctx = await newLabContext(browser);
    await ctx.route('**/reproduced.json', (route) => route.fulfill({ json: REPRODUCED }));
    const { page, logs, context } = await openLab(browser, TINY, ctx);
    try {
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });

      // A corrupted file: gzip magic followed by garbage.
      await dropFile(page, 'train-images-idx3-ubyte.gz', [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
      const alert = page.getByTestId('notice-error').filter({ hasText: 'train-images-idx3-ubyte.gz' });
      await alert.waitFor({ timeout: 30_000 });
      expect(await alert.innerText()).toMatch(/gzip|corrupt|truncated/i);
      // Nothing else broke: the served data are still used and Start is available.
      await page.getByTestId('data-ok').waitFor();
      expect(await page.getByTestId('primary').isEnabled()).toBe(true);
      await shot(page, 'corrupted-file-refused');

      const stopTrace = await traceMainThread(browser, page);
      const t0 = await now(page);
      await page.getByTestId('primary').click();
      // Mid-run: generation 2 in training.
      await page.getByTestId('progress').filter({ hasText: 'Generation 2' }).first().waitFor({ timeout: 120_000 });
      const capturing = [await shot(page, 'lab-mid-run'), await shot(page, 'lab-mid-run-full', true)];
      await waitForStatuses(page, 'completed', 180_000);
      const t1 = await now(page);
      console.log(`tiny side-by-side run: ${((t1 - t0) / 1000).toFixed(1)} s`);

      // No long task on the main thread while the Workers trained (screenshots aside). Long tasks
      // are wall time, and the OS can stall the main thread on a shared machine: the trace's CPU
      // time tells the page's own long work from such stalls.
      // Only tasks that began while the trace recorded: later ones have no CPU time to be judged by
      // (and ending the trace can itself stall the page).
      const traceEnd = await now(page);
      const traced = await stopTrace();
      const long = outside(await longTasksSince(page, t0), capturing).filter(
        (t) => t.duration > LONG_TASK_MS && t.start < traceEnd,
      );
      const { blamed, excused } = blameLongTasks(long, traced, LONG_TASK_MS);
      if (excused.length)
        console.warn(
          `long tasks in which the main thread was not running (OS scheduling, not the page): ${JSON.stringify(excused)}`,
        );
      const near = traced.filter((x) => blamed.some((t) => Math.abs(x.start - t.start) < 300));
      expect(
        blamed,
        `long tasks: ${JSON.stringify(blamed)}; traced main-thread tasks near them: ${JSON.stringify(near)}; load average ${os
          .loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')} on ${os.cpus().length} cores`,
      ).toEqual([]);
      console.log(
        `main thread during the run: ${traced.length} tasks over 20 ms wall, the largest CPU time ${Math.max(0, ...traced.map((t) => t.cpu)).toFixed(1)} ms`,
      );

      // The page reports the backend that ran.
      expect(await page.getByTestId('backend-name').first().innerText()).toBe('wasm');

      // A point per generation per run on each chart: 2 runs × 2 generations.
      // (Charts redraw a moment after the data arrive, one after another: poll.)
      for (const metric of ['testAccuracy', 'synapticEfficiency', 'clusterEfficiency']) {
        const chart = page.getByTestId(`chart-${metric}`);
        await expect.poll(() => chart.locator('.recharts-line').count(), { timeout: 5000 }).toBe(2);
        await expect
          .poll(() => chart.locator('.recharts-line-dots circle, .recharts-line-dot').count(), { timeout: 5000 })
          .toBe(4);
      }

      // Heatmaps: live and dead kernels in generation 2, per run.
      const maps = page.getByTestId('heatmap');
      await expect.poll(() => maps.count(), { timeout: 5000 }).toBe(2);
      await expect
        .poll(() => maps.evaluateAll((els) => els.map((e) => e.getAttribute('data-generation'))), { timeout: 5000 })
        .toEqual(['2', '2']);
      for (const m of await maps.all()) {
        expect(await m.getAttribute('data-generation')).toBe('2');
        const alive = Number(await m.getAttribute('data-alive'));
        const gone = Number(await m.getAttribute('data-died')) + Number(await m.getAttribute('data-dead'));
        expect(alive).toBeGreaterThan(0);
        expect(gone).toBeGreaterThan(0);
        // And the canvas really shows both: dark (alive) and orange/grey (dead) pixels.
        const colours = await m.evaluate((c: HTMLCanvasElement) => {
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let dark = 0;
          let light = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] === 0) continue;
            if (d[i] < 40 && d[i + 1] < 60 && d[i + 2] < 90) dark++;
            else if ((d[i] > 220 && d[i + 1] > 220) || (d[i] > 240 && d[i + 1] > 120 && d[i + 2] < 40)) light++;
          }
          return { dark, light };
        });
        expect(colours.dark).toBeGreaterThan(0);
        expect(colours.light).toBeGreaterThan(0);
      }
      await shot(page, 'lab-finished-full', true);

      // The numbers on screen equal those in the exported JSON (run.json of each run).
      for (const metric of ['testAccuracy', 'synapticEfficiency', 'clusterEfficiency'] as const)
        await page.getByTestId(`table-toggle-${metric}`).click();
      for (const mode of ['asexual', 'sexual']) {
        const card = page.getByTestId(`run-${mode}`);
        const json = await download(page, () => card.getByTestId('export-json').click());
        const report = JSON.parse(json.text) as RunReport;
        expect(report.config.mode).toBe(mode);
        expect(report.environment.backend).toBe('wasm');
        expect(report.finished).toBe(true);
        expect(report.records.filter((r) => r.generation === 1)).toHaveLength(1);
        expect(report.records.filter((r) => r.generation === 2)).toHaveLength(mode === 'sexual' ? 2 : 1);
        const label = (await card.getAttribute('data-run-label'))!;
        for (const [generation, r] of best(report.records)) {
          const cell = (metric: string) =>
            page.locator(`[data-testid="table-${metric}"] td[data-run="${label}"][data-generation="${generation}"]`);
          expect(await cell('testAccuracy').getAttribute('data-value')).toBe(String(r.testAccuracy));
          expect((await cell('testAccuracy').innerText()).startsWith(`${(100 * r.testAccuracy).toFixed(2)} %`)).toBe(
            true,
          );
          expect((await cell('synapticEfficiency').innerText()).startsWith(`${r.synapticEfficiency.toFixed(2)}×`)).toBe(
            true,
          );
          expect((await cell('clusterEfficiency').innerText()).startsWith(`${r.clusterEfficiency.toFixed(2)}×`)).toBe(
            true,
          );
        }
        const last = best(report.records).get(2)!;
        expect(await card.getByTestId('latest').innerText()).toContain(`${(100 * last.testAccuracy).toFixed(2)} %`);
        const csv = await download(page, () => card.getByTestId('export-csv').click());
        expect(csv.text.split('\n')[0]).toMatch(/^generation,mode,individual/);
        expect(csv.text.trim().split('\n')).toHaveLength(1 + report.records.length);
      }
      // Charts export to PNG.
      await page.getByTestId('table-toggle-testAccuracy').click();
      const png = await download(page, () =>
        page.getByTestId('chart-testAccuracy').getByRole('button', { name: 'PNG' }).click(),
      );
      expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');

      // Our reproduced runs (served by the route above): off until ticked, from the keyboard;
      // then the default experiment's seed means as faint dashed lines, and in the tables.
      const reproducedToggle = page.getByLabel('Show our reproduced runs (mean over 3 seeds)');
      expect(await reproducedToggle.isChecked()).toBe(false);
      expect(await page.getByTestId('chart-testAccuracy').locator('.reproduced-line').count()).toBe(0);
      await reproducedToggle.focus();
      await page.keyboard.press('Space');
      expect(await reproducedToggle.isChecked()).toBe(true);
      expect(await page.getByTestId('reproduced-experiment').inputValue()).toBe('mnist-10pct-default');
      const dashed = page.getByTestId('chart-testAccuracy').locator('.reproduced-line .recharts-line-curve');
      await expect.poll(() => dashed.count(), { timeout: 5000 }).toBe(2);
      expect(
        await dashed.evaluateAll((els) =>
          els.map((e) => [e.getAttribute('stroke'), e.getAttribute('stroke-dasharray')]),
        ),
      ).toEqual([
        ['#d62728', '8 5'],
        ['#1f5fbf', '8 5'],
      ]);
      // The live runs' lines are still there, and the legend names our runs.
      expect(await page.getByTestId('chart-testAccuracy').locator('.recharts-line').count()).toBe(4);
      expect(await page.getByTestId('chart-testAccuracy').locator('.legend').innerText()).toContain(
        'ours, sexual (mean of 3 seeds)',
      );
      const rows = page.locator('[data-testid="table-reproduced-synapticEfficiency"] tbody tr');
      await expect.poll(() => rows.count(), { timeout: 5000 }).toBe(8);
      expect(
        await rows
          .filter({ has: page.locator('td', { hasText: /^sexual$/ }) })
          .nth(3)
          .innerText(),
      ).toMatch(/sexual\s+4\s+3\s+8\.00 ± 0\.80×/);
      await shot(page, 'reproduced-overlay', true);
      // Another experiment of the dataset can be picked.
      await page.getByTestId('reproduced-experiment').selectOption('mnist-rho0.5');
      await expect.poll(() => rows.count(), { timeout: 5000 }).toBe(2);
      await expect.poll(() => dashed.count(), { timeout: 5000 }).toBe(1);

      // The setup lives in the URL.
      const url = new URL(page.url());
      expect(url.searchParams.get('generations')).toBe('2');
      expect(url.searchParams.get('train')).toBe('300');
      expect(url.searchParams.get('session')).toBeTruthy();
      expect(logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('keeps every finished generation across a reload mid-run, and resumes', async () => {
    const { page, context } = await openLab(browser, TINY.replace('generations=2', 'generations=6'));
    try {
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });
      // A slider moved during the run (from the keyboard) applies from the next generation. It is
      // moved while both runs hold between generations 1 and 2: moved while they train, the
      // asexual run could finish all six generations before the change reached it (tiny
      // generations take a fraction of a second, and the runs take turns on the cores).
      await page.getByTestId('step').click();
      await waitForStatuses(page, 'paused', 120_000);
      await waitForGeneration(page, 1, 2, 10_000);
      await page.getByTestId('rho').focus();
      await page.keyboard.press('ArrowLeft');
      expect(await page.getByTestId('rho').inputValue()).toBe('0.45');
      expect(await page.getByTestId('primary').innerText()).toBe('Continue');
      await page.getByTestId('primary').click();
      // Reload once generation 2 of both runs is saved in the browser, while later ones train.
      await page.waitForFunction(
        () => {
          const cards = [...document.querySelectorAll('[data-saved-generation]')];
          return cards.length === 2 && cards.every((c) => Number(c.getAttribute('data-saved-generation')) >= 2);
        },
        undefined,
        { timeout: 180_000, polling: 100 },
      );
      const before = await latestGenerations(page);
      await page.reload();
      await page.getByTestId('primary').waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[data-status]').length === 2);
      const statuses = await page
        .locator('[data-status]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
      expect(statuses.every((s) => s === 'interrupted' || s === 'completed')).toBe(true);
      // Every generation shown before the reload is still there (all were saved: we waited for it).
      const after = await latestGenerations(page);
      expect(after).toHaveLength(2);
      after.forEach((g, i) => expect(g).toBeGreaterThanOrEqual(Math.min(before[i], 2)));
      await expect.poll(() => page.getByTestId('heatmap').count(), { timeout: 10_000 }).toBe(2);
      await shot(page, 'after-reload');

      if (statuses.some((s) => s === 'interrupted')) {
        expect(await page.getByTestId('primary').innerText()).toBe('Resume');
        await page.getByTestId('primary').click();
      }
      await waitForStatuses(page, 'completed', 180_000);
      await waitForGeneration(page, 6, 2, 10_000);
      // The charts mark where the environment changed, and the report says what changed.
      await expect
        .poll(() => page.getByTestId('chart-testAccuracy').locator('.recharts-reference-line').count(), {
          timeout: 5000,
        })
        .toBeGreaterThan(0);
      const [d] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('run-asexual').getByTestId('export-json').click(),
      ]);
      const report = JSON.parse(readFileSync(await d.path(), 'utf8')) as RunReport;
      // The change made before the reload came back with the run, at the generation it applied from.
      expect(report.configChanges).toHaveLength(1);
      expect(report.configChanges[0]).toMatchObject({
        generation: 2,
        from: { 'synthesis.budget.rho': 0.5 },
        to: { 'synthesis.budget.rho': 0.45 },
      });
      expect(report.configChanges[0].changed).toContain('synthesis.budget.rho');
      expect(report.config.synthesis.budget.rho).toBe(0.45);
      expect(new URL(page.url()).searchParams.get('rho')).toBe('0.45');
      await shot(page, 'after-resume-full', true);
      // Each run has one record per network per generation, with no gap or duplicate.
      await page.getByTestId('table-toggle-testAccuracy').click();
      const rows = await page.locator('[data-testid="table-testAccuracy"] tbody tr th').allInnerTexts();
      expect(rows).toEqual(['1', '2', '3', '4', '5', '6']);
    } finally {
      await context.close();
    }
  });

  it('pauses, continues, stops after the generation and resumes', async () => {
    const { page, context } = await openLab(browser, TINY.replace('generations=2', 'generations=6'));
    try {
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });
      const primary = page.getByTestId('primary');
      await primary.click();
      await page.getByTestId('progress').first().waitFor({ timeout: 60_000 });
      await expect.poll(() => primary.innerText()).toBe('Pause');
      await primary.click();
      // Each running run stops at its next batch boundary and then reports 'paused' (one still
      // starting holds the pause for when its runner exists). Once none is running, the progress
      // does not move. (Waiting for just one paused card let the other finish a batch.)
      await page.waitForFunction(
        () => {
          const statuses = [...document.querySelectorAll('[data-status]')].map((c) => c.getAttribute('data-status'));
          return (
            statuses.includes('paused') && statuses.every((s) => s === 'paused' || s === 'starting' || s === 'waiting')
          );
        },
        undefined,
        { timeout: 30_000 },
      );
      await expect.poll(() => primary.innerText(), { timeout: 30_000 }).toBe('Continue');
      // (Only the generation/epoch/batch lines: the time-left line may change while paused, and so
      // may "taking turns": paused runs give their cores back.)
      const position = async () =>
        (await page.getByTestId('progress').allInnerTexts()).map((t) =>
          t
            .split('\n')
            .filter((line) => !line.startsWith('Time left'))
            .slice(0, 2)
            .join(' '),
        );
      const frozen = await position();
      await page.waitForTimeout(1500);
      expect(await position()).toEqual(frozen);
      await primary.click();
      await page.getByTestId('stop').click();
      await waitForStatuses(page, 'stopped', 120_000);
      const stoppedAt = await latestGenerations(page);
      // Six generations: a tiny run trains fast enough to finish three before Stop lands.
      expect(stoppedAt.every((g) => g < 6)).toBe(true);
      await expect.poll(() => primary.innerText()).toBe('Resume');
      await primary.click();
      await waitForStatuses(page, 'completed', 120_000);
      await waitForGeneration(page, 6, 2, 10_000);
    } finally {
      await context.close();
    }
  });

  it('starts evolving at once from the shipped MNIST ancestor, each run sharing its steps with a helper Worker', async () => {
    const meta = JSON.parse(readFileSync(`${root}/public/ancestors/mnist.meta.json`, 'utf8')) as {
      testAccuracy: number;
    };
    // peers=1 forces a helper Worker per run, which the page gives only on machines with cores to spare.
    const { page, context } = await openLab(
      browser,
      'generations=2&epochs=1&train=300&test=200&backend=wasm&ancestor=shipped&peers=1',
    );
    try {
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });
      await page.getByTestId('primary').click();
      await waitForStatuses(page, 'completed', 180_000);
      const card = page.getByTestId('run-sexual');
      const report = JSON.parse(
        (await download(page, () => card.getByTestId('export-json').click())).text,
      ) as RunReport;
      expect(report.environment.threads).toBe(2);
      expect(report.environment.wasmKernels).toBe('evolab-simd'); // Chromium runs our SIMD kernels
      const ancestor = report.records.find((r) => r.generation === 1)!;
      // Generation 1 is the shipped network, not one trained here on 300 images.
      expect(ancestor.testAccuracy).toBe(meta.testAccuracy);
      expect(ancestor.testAccuracy).toBeGreaterThan(0.95);
      expect(report.records.filter((r) => r.generation === 2)).toHaveLength(2);
      expect(report.records.filter((r) => r.generation === 2).every((r) => r.testAccuracy > 0.9)).toBe(true);
    } finally {
      await context.close();
    }
  });
});
