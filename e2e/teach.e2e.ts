/**
 * The teaching panels in the browser (issue 15): the explanation with its citation and links, a
 * keyboard-reachable explanation for every control and metric, axe-core's accessibility check at
 * every stage, the mating view's counts and the verdict's numbers against the runs' own records
 * (and the verdict changing when α = 1, β = 0), and the try-it panel classifying a digit drawn
 * from an MNIST test image. Screenshots at 1280×800 go to e2e-artifacts/teach-*.png.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkRecord, RunReport } from '../src/experiment/records';
import { artifacts, axeViolations, baseUrl, launch, root, waitForGeneration, waitForStatuses } from './browser';

/** The shipped MNIST ancestor, 300 training and 200 test images, offspring trained one epoch: 4 generations in seconds. */
const RUN = 'generations=4&epochs=1&train=300&test=200&backend=wasm&rho=0.5';
/** The newest generation of both runs when they finish. */
const LAST = 4;
const VIEW = { width: 1280, height: 800 };

let browser: Awaited<ReturnType<typeof launch>>;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function open(query: string) {
  const context = await browser.newContext({ viewport: VIEW, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl()}/?${query}`);
  await page.getByTestId('data-ok').waitFor({ timeout: 30_000 });
  return { context, page, errors };
}

/** A screenshot of the viewport with `testId`'s section scrolled to just below the sticky header. */
async function shotOf(page: Page, testId: string | null, name: string) {
  if (testId)
    await page.getByTestId(testId).evaluate((el) => {
      const header = document.querySelector('header')?.getBoundingClientRect().height ?? 0;
      window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - header - 8);
    });
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

const testImages = gunzipSync(readFileSync(path.join(root, 'public/data/mnist/t10k-images-idx3-ubyte.gz'))).subarray(
  16,
);
const testLabels = gunzipSync(readFileSync(path.join(root, 'public/data/mnist/t10k-labels-idx1-ubyte.gz'))).subarray(8);

/** Traces MNIST test image `index` on the 280×280 pad with the mouse, one stroke per run of ink in a row. */
async function drawTestDigit(page: Page, index: number) {
  const pad = page.getByTestId('draw-pad');
  await pad.scrollIntoViewIfNeeded();
  await page.getByTestId('draw-clear').click();
  const box = (await pad.boundingBox())!;
  const px = testImages.subarray(index * 784, (index + 1) * 784);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      if (px[y * 28 + x] <= 100) continue;
      let end = x;
      while (end + 1 < 28 && px[y * 28 + end + 1] > 100) end++;
      await page.mouse.move(box.x + x * 10 + 5, box.y + y * 10 + 5);
      await page.mouse.down();
      await page.mouse.move(box.x + end * 10 + 5, box.y + y * 10 + 5, { steps: 2 });
      await page.mouse.up();
      x = end;
    }
  return testLabels[index];
}

async function exported(page: Page, mode: string): Promise<RunReport> {
  const [d] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(`run-${mode}`).getByTestId('export-json').click(),
  ]);
  return JSON.parse(readFileSync((await d.path())!, 'utf8')) as RunReport;
}

/** Each generation's population mean (what the verdict reads), written out independently of the page's code. */
function means(records: NetworkRecord[]) {
  const gens = [...new Set(records.map((r) => r.generation))].sort((a, b) => a - b);
  return gens.map((g) => {
    const rs = records.filter((r) => r.generation === g);
    const m = (f: (r: NetworkRecord) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    return {
      generation: g,
      accuracy: m((r) => r.testAccuracy),
      synaptic: m((r) => r.synapticEfficiency),
      cluster: m((r) => r.clusterEfficiency),
    };
  });
}

/** The verdict's table cells of a run, by field, as numbers. */
async function verdictCells(page: Page, label: string): Promise<Record<string, number | null>> {
  const cells = await page
    .locator(`[data-testid="verdict-table"] td[data-run="${label}"]`)
    .evaluateAll((els) => els.map((e) => [e.getAttribute('data-field'), e.getAttribute('data-value')]));
  return Object.fromEntries(cells.map(([f, v]) => [f!, v === '' || v === null ? null : Number(v)]));
}

/** The verdict's numbers must be the records': the first ≥ 3-point drop and the equal generation. */
function checkVerdict(cells: Record<string, number | null>, records: NetworkRecord[], equal: number) {
  const curve = means(records);
  const ancestor = curve[0].accuracy;
  const drop = curve.find((p) => p.generation > 1 && (ancestor - p.accuracy) * 100 >= 3 - 1e-9) ?? null;
  expect(cells['drop-generation']).toBe(drop ? drop.generation : null);
  if (drop) {
    expect(cells['drop-accuracy']).toBeCloseTo(drop.accuracy, 12);
    expect(cells['drop-synaptic']).toBeCloseTo(drop.synaptic, 12);
  }
  const at = curve.find((p) => p.generation === equal)!;
  expect(cells['equal-generation']).toBe(equal);
  expect(cells['equal-accuracy']).toBeCloseTo(at.accuracy, 12);
  expect(cells['equal-synaptic']).toBeCloseTo(at.synaptic, 12);
  expect(cells['equal-cluster']).toBeCloseTo(at.cluster, 12);
  const offspring = records.filter((r) => r.synthesis);
  expect(cells.retention).toBeCloseTo(offspring.reduce((s, r) => s + r.synthesis!.retention, 0) / offspring.length, 12);
}

const bits = (hex: string, n: number) =>
  Array.from({ length: n }, (_, i) => (parseInt(hex[i >> 2], 16) >> (3 - (i & 3))) & 1);

/** Kernels of the child alive in both parents, only in A, only in B, counted from the records' hex masks. */
function originsFromRecords(child: NetworkRecord, a: NetworkRecord, b: NetworkRecord) {
  const c = { both: 0, onlyA: 0, onlyB: 0 };
  child.kernelMasks.forEach((m, l) => {
    const n = m.filters * m.inChannels;
    const [kc, ka, kb] = [m, a.kernelMasks[l], b.kernelMasks[l]].map((x) => bits(x.aliveHex, n));
    for (let k = 0; k < n; k++) {
      if (!kc[k]) continue;
      if (ka[k] && kb[k]) c.both++;
      else if (ka[k]) c.onlyA++;
      else c.onlyB++;
    }
  });
  return c;
}

let firstVerdict: Record<string, number | null> | null = null;

describe('teaching the mating ritual', () => {
  it('explains the method with its citation, every control and metric from the keyboard, and classifies a drawn MNIST digit with the ancestor', async () => {
    // What a first-time visitor sees: the lab with its defaults.
    const { context, page, errors } = await open('');
    try {
      expect(await axeViolations(page), 'axe on the first load').toEqual([]);
      await shotOf(page, null, 'teach-first-view');
      await page.goto(`${baseUrl()}/?${RUN}`);
      await page.getByTestId('data-ok').waitFor({ timeout: 30_000 });

      // The explanation: the paper cited and linked, our report linked and served.
      const how = page.getByTestId('how-it-works');
      expect(await how.innerText()).toContain('Chung, Shafiee, Fieguth and Wong (2017');
      expect(await page.getByTestId('paper-link').getAttribute('href')).toBe('https://arxiv.org/abs/1709.02043');
      const reportHref = (await page.getByTestId('report-link').getAttribute('href'))!;
      const report = await context.newPage();
      await report.goto(new URL(reportHref, page.url()).href);
      await report.locator('h2#what-the-numbers-say').waitFor({ timeout: 10_000 });
      expect(await report.locator('img.report-figure').count()).toBeGreaterThan(10);
      await report.close();

      // Opened from the keyboard, it explains every number the lab reports.
      await page.getByTestId('how-toggle').focus();
      await page.keyboard.press('Enter');
      expect(await page.getByTestId('how-toggle').getAttribute('aria-expanded')).toBe('true');
      const { METRIC_ROWS } = await import('../src/experiment/metrics-table');
      expect(await page.locator('[data-testid="metrics-table"] tbody tr').count()).toBe(METRIC_ROWS.length);
      expect(await page.getByTestId('architecture').innerText()).toContain('143,136');
      await shotOf(page, 'how-it-works', 'teach-explanation');

      // Every control of the setup names an explanation (aria-describedby), and its "?" shows it from the keyboard.
      const { ALL_SETTINGS } = await import('../src/experiment/settings-table');
      const controls = page.locator('.controls input:visible, .controls select:visible');
      const described = await controls.evaluateAll((els) =>
        els.map((e) => {
          const ids = (e.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
          const label = e.id
            ? document.querySelector(`label[for="${e.id}"]`)?.textContent
            : e.closest('label')?.textContent;
          return {
            label: label ?? e.outerHTML.slice(0, 80),
            text: ids.map((i) => document.getElementById(i)?.textContent ?? '').join(' '),
          };
        }),
      );
      expect(described.length).toBeGreaterThan(10);
      for (const d of described) expect(d.text.trim().length, `explanation of ${d.label}`).toBeGreaterThan(20);
      const rho = ALL_SETTINGS.find((s) => s.id === 'rho')!;
      const rhoButton = page.getByRole('button', { name: `About ${rho.lab!.label ?? rho.label}` });
      await rhoButton.focus();
      await page.keyboard.press('Enter');
      const rhoText = page.locator(`#${await rhoButton.getAttribute('aria-controls')}`);
      expect(await rhoText.isVisible()).toBe(true);
      expect(await rhoText.innerText()).toBe(rho.help);
      // Every chart names its metric's explanation the same way.
      for (const id of ['testAccuracy', 'synapticEfficiency', 'clusterEfficiency', 'loss']) {
        const button = page.getByTestId(`chart-${id}`).getByTestId('explain-button');
        await button.focus();
        await page.keyboard.press('Enter');
        const m = METRIC_ROWS.find((x) => x.id === id)!;
        expect(await page.getByTestId(`chart-${id}`).getByTestId('explain-text').innerText()).toContain(m.help);
      }

      // Try it: a digit drawn from MNIST test image 0, classified by the shipped ancestor.
      const label = await drawTestDigit(page, 0);
      const ancestorRow = page.locator('[data-testid="try-results"] tr[data-network="ancestor"]');
      await ancestorRow.waitFor({ timeout: 30_000 });
      expect(Number(await ancestorRow.getAttribute('data-predicted'))).toBe(label);
      expect(Number(await ancestorRow.getAttribute('data-synapses'))).toBe(143_136);
      expect(await axeViolations(page), 'axe with every explanation open').toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a run’s mating and an honest verdict that equal its records, accessibly at every stage', async () => {
    const { context, page, errors } = await open(RUN);
    try {
      await page.getByTestId('primary').click();
      await page.getByTestId('progress').filter({ hasText: 'Generation 2' }).first().waitFor({ timeout: 120_000 });
      expect(await axeViolations(page), 'axe mid-run').toEqual([]);
      // On demand mid-run: once both runs have offspring, paused (still going), the verdict so far.
      await waitForGeneration(page, 2, 2, 120_000);
      await page.getByTestId('primary').click();
      expect(await page.getByTestId('primary').innerText()).toBe('Continue');
      await page.getByTestId('verdict-toggle').click();
      expect(await page.getByTestId('verdict').getAttribute('data-partial')).toBe('true');
      expect(await page.getByTestId('verdict-headline').innerText()).toMatch(/^So far: /);
      await page.getByTestId('primary').click();
      await waitForStatuses(page, 'completed', 240_000);
      const asexual = await exported(page, 'asexual');
      const sexual = await exported(page, 'sexual');

      // The verdict: shown once the runs finish, with the records' numbers.
      await page.getByTestId('verdict').waitFor();
      const [a, s] = [await verdictCells(page, 'asexual'), await verdictCells(page, 'sexual')];
      checkVerdict(a, asexual.records, LAST);
      checkVerdict(s, sexual.records, LAST);
      firstVerdict = s;
      expect(await page.getByTestId('verdict-headline').innerText()).toMatch(/sexual/i);
      expect(await page.getByTestId('verdict-paper').innerText()).toContain('258×');
      expect(await page.getByTestId('verdict-reproduced').innerText()).toContain('means of 3 seeds');
      expect(await page.getByTestId('verdict-meaning').locator('a').getAttribute('href')).toContain('report.html#');
      await shotOf(page, 'verdict-section', 'teach-verdict');

      // Every chart's table open: still accessible.
      for (const m of ['testAccuracy', 'synapticEfficiency', 'clusterEfficiency', 'loss'])
        await page.getByTestId(`table-toggle-${m}`).click();
      expect(await axeViolations(page), 'axe with every chart table open').toEqual([]);
      for (const m of ['testAccuracy', 'synapticEfficiency', 'clusterEfficiency', 'loss'])
        await page.getByTestId(`table-toggle-${m}`).click();

      // The charts by training work: the axis says so.
      await page.getByTestId('x-axis').selectOption('images');
      await expect
        .poll(() => page.getByTestId('chart-synapticEfficiency').locator('svg text').allTextContents(), {
          timeout: 5000,
        })
        .toContain('images trained since the ancestor');
      await page.getByTestId('x-axis').selectOption('generation');

      // The mating view of sexual generation 3: two different parents, the child's kernels by origin.
      await page.getByTestId('mating-toggle').click();
      await page.getByTestId('mating-run').selectOption({ label: 'sexual' });
      await page.getByTestId('mating-generation').selectOption('3');
      const view = page.getByTestId('mating-view');
      const counts = page.getByTestId('mating-counts');
      const attr = async (name: string) => Number(await counts.getAttribute(name));
      expect(await attr('data-parents-differ')).toBeGreaterThan(0);
      for (const individual of [0, 1]) {
        await page.getByTestId('mating-individual').selectOption(String(individual));
        const child = sexual.records.find((r) => r.generation === 3 && r.individual === individual)!;
        const [pa, pb] = child.parents.map((i) =>
          sexual.records.find((r) => r.generation === 2 && r.individual === i)!,
        );
        expect(pa.individual).not.toBe(pb.individual);
        const expected = originsFromRecords(child, pa, pb);
        await expect.poll(() => attr('data-kernels')).toBe(child.kernels);
        expect([await attr('data-both'), await attr('data-only-a'), await attr('data-only-b')]).toEqual([
          expected.both,
          expected.onlyA,
          expected.onlyB,
        ]);
        expect(expected.both + expected.onlyA + expected.onlyB).toBe(child.kernels);
        const retention = view.locator('[data-stat="retention"]');
        expect(Number(await retention.getAttribute('data-value'))).toBe(child.synthesis!.retention);
        expect(await page.getByTestId('mating-parentage').innerText()).toContain(
          `mating network ${pa.individual + 1} of generation 2 (parent A) with network ${pb.individual + 1}`,
        );
      }
      // Each parent's mask on the layer shown matches its record.
      const layer = await page.getByTestId('mating-layer').inputValue();
      const child = sexual.records.find((r) => r.generation === 3 && r.individual === 1)!;
      for (const [i, p] of child.parents.entries()) {
        const rec = sexual.records.find((r) => r.generation === 2 && r.individual === p)!;
        const mask = rec.kernelMasks.find((m) => m.layer === layer)!;
        expect(Number(await page.getByTestId(`mating-parent-${i}`).getAttribute('data-alive'))).toBe(mask.aliveKernels);
      }
      // Moving α to 1 and β to 0 leans the blend to parent A.
      await page.getByTestId('mating-alpha').fill('1');
      await page.getByTestId('mating-beta').fill('0');
      const lean = page.getByTestId('mating-lean');
      await expect.poll(() => lean.innerText()).toContain('closer to parent A');
      expect(Number(await lean.getAttribute('data-gap-a'))).toBeLessThan(Number(await lean.getAttribute('data-gap-b')));
      await page.getByTestId('mating-layer').selectOption('fc1');
      await shotOf(page, 'mating-section', 'teach-mating-view');
      // Generation 2 says plainly that both parents are the ancestor.
      await page.getByTestId('mating-generation').selectOption('2');
      expect(await page.getByTestId('mating-parentage').innerText()).toContain('the ancestor mated with itself');
      await page.getByTestId('mating-generation').selectOption('3');
      expect(await axeViolations(page), 'axe with the mating view open').toEqual([]);

      // Try it with the runs' newest networks, side by side with the ancestor.
      const label = await drawTestDigit(page, 0);
      const rows = page.locator('[data-testid="try-results"] tr[data-network]');
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(3);
      const best = (rs: NetworkRecord[]) =>
        rs
          .filter((r) => r.generation === LAST)
          .sort((x, y) => y.testAccuracy - x.testAccuracy || x.individual - y.individual)[0];
      for (const [name, report] of [
        ['asexual', asexual],
        ['sexual', sexual],
      ] as const)
        expect(Number(await rows.and(page.locator(`[data-network="${name}"]`)).getAttribute('data-synapses'))).toBe(
          best(report.records).synapses,
        );
      expect(Number(await rows.first().getAttribute('data-predicted'))).toBe(label);
      await shotOf(page, 'try-it', 'teach-try-it');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('gives another verdict when the runs change: α = 1, β = 0', async () => {
    const { context, page, errors } = await open(`${RUN}&alpha=1&beta=0`);
    try {
      await page.getByTestId('primary').click();
      await waitForStatuses(page, 'completed', 240_000);
      const sexual = await exported(page, 'sexual');
      expect(sexual.config.mating.cluster).toEqual([1, 0]);
      expect(
        sexual.records
          .filter((r) => r.generation === 3)
          .every((r) => r.synthesis?.matingWeights.cluster.join() === '1,0'),
      ).toBe(true);
      await page.getByTestId('verdict').waitFor();
      const cells = await verdictCells(page, 'sexual');
      checkVerdict(cells, sexual.records, LAST);
      checkVerdict(await verdictCells(page, 'asexual'), (await exported(page, 'asexual')).records, LAST);
      // Other records, other numbers: the verdict is computed, not written in advance.
      expect(firstVerdict).not.toBeNull();
      expect(cells['equal-synaptic']).not.toBe(firstVerdict!['equal-synaptic']);
      await page.getByTestId('mating-toggle').click();
      await page.getByTestId('mating-run').selectOption({ label: 'sexual' });
      await page.getByTestId('mating-generation').selectOption('3');
      expect(await page.getByTestId('mating-parentage').innerText()).toContain('α = 1 and β = 0');
      expect(await page.getByTestId('mating-lean').innerText()).toContain('closer to parent A');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
