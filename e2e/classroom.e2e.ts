/**
 * The lab in a classroom: on a phone (390×844), a laptop (1280×800) and a projector (1920×1080)
 * nothing scrolls sideways before, during or after a run; "Next generation" advances exactly one
 * generation; presenter mode; the charts and heatmaps from the keyboard; the exports' settings
 * history; and axe-core finds no accessibility violation in any of these states.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/experiment/records';
import { artifacts, axeViolations, latestGenerations, launch, openLab, waitForStatuses } from './browser';

const TINY =
  'generations=3&epochs=1&ancestorEpochs=1&train=300&test=200&backend=wasm&ancestor=train&rho=0.5&runs=asexual,sexual';
const SIZES = [
  [390, 844],
  [1280, 800],
  [1920, 1080],
] as const;

let browser: Awaited<ReturnType<typeof launch>>;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

const settled = (page: Page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** The ends of the range the layout is made for: checked for overflow only. */
const EDGES = [
  [360, 740],
  [2560, 1440],
] as const;

const overflow = (page: Page) =>
  page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth] as const);

/** At each size: no horizontal overflow, a screenshot, no axe violation (and no overflow at 360 and 2560 px). */
async function checkSizes(page: Page, phase: string) {
  for (const [width, height] of EDGES) {
    await page.setViewportSize({ width, height });
    await settled(page);
    const [scrollWidth, innerWidth] = await overflow(page);
    expect(scrollWidth, `${phase} at ${width}×${height}`).toBeLessThanOrEqual(innerWidth);
  }
  for (const [width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    await settled(page);
    const [scrollWidth, innerWidth] = await overflow(page);
    expect(scrollWidth, `${phase} at ${width}×${height}: the page is wider than the window`).toBeLessThanOrEqual(
      innerWidth,
    );
    await page.screenshot({ path: path.join(artifacts, `classroom-${phase}-${width}.png`) });
    expect(await axeViolations(page), `${phase} at ${width}×${height}`).toEqual([]);
  }
}

async function download(page: Page, click: () => Promise<void>): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync(await d.path(), 'utf8');
}

/** Waits until every run is paused (a step ended) and has finished `generation`. */
async function pausedAt(page: Page, generation: number) {
  await page.waitForFunction(
    (g) => {
      const cards = [...document.querySelectorAll('[data-status]')];
      const latest = [...document.querySelectorAll('[data-testid="latest"]')].map((e) =>
        Number(e.getAttribute('data-generation')),
      );
      return (
        cards.length === 2 &&
        cards.every((c) => c.getAttribute('data-status') === 'paused') &&
        latest.length === 2 &&
        latest.every((x) => x >= g)
      );
    },
    generation,
    { timeout: 120_000, polling: 200 },
  );
}

describe('the lab in a classroom', () => {
  it('fits every screen, steps one generation at a time, presents, works from the keyboard and exports its settings history', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const { page, logs } = await openLab(browser, TINY, context);
    try {
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });
      await page.getByRole('heading', { name: 'Kernel masks' }).waitFor();
      await checkSizes(page, 'before');

      // "Next generation" on a fresh page starts the runs; each pauses after generation 1.
      const step = page.getByTestId('step');
      await step.click();
      await pausedAt(page, 1);
      expect(await latestGenerations(page)).toEqual([1, 1]);
      expect(await page.getByTestId('primary').innerText()).toBe('Continue');

      // A slider moved while paused applies from the next generation the run makes.
      await page.getByTestId('rho').focus();
      await page.keyboard.press('ArrowLeft');
      expect(await page.getByTestId('rho').inputValue()).toBe('0.45');

      // From a pause between generations, one step is exactly one generation.
      await step.click();
      await pausedAt(page, 2);
      expect(await latestGenerations(page)).toEqual([2, 2]);
      await checkSizes(page, 'during');

      await page.getByTestId('primary').click(); // Continue
      await waitForStatuses(page, 'completed', 120_000);
      expect(await latestGenerations(page)).toEqual([3, 3]);
      await expect.poll(() => page.getByTestId('heatmap').count(), { timeout: 10_000 }).toBe(2);
      await checkSizes(page, 'after');

      // Exports: the JSON keeps the starting configuration and the change with both values;
      // the CSV has ρ, α and β on every row, as in effect for that row's generation.
      const card = page.getByTestId('run-sexual');
      const report = JSON.parse(await download(page, () => card.getByTestId('export-json').click())) as RunReport;
      expect(report.config.synthesis.budget.rho).toBe(0.45);
      expect(report.startingConfig?.synthesis.budget.rho).toBe(0.5);
      expect(report.configChanges).toHaveLength(1);
      const change = report.configChanges[0];
      expect(change).toMatchObject({
        changed: ['synthesis.budget.rho'],
        from: { 'synthesis.budget.rho': 0.5 },
        to: { 'synthesis.budget.rho': 0.45 },
      });
      const csv = (await download(page, () => card.getByTestId('export-csv').click())).trim().split('\n');
      const header = csv[0].split(',');
      for (const column of ['rho', 'alpha_cluster', 'beta_cluster', 'alpha_synapse', 'beta_synapse', 'budget_mode'])
        expect(header).toContain(column);
      const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
      expect(rows).toHaveLength(report.records.length);
      for (const row of rows) {
        expect(row.rho).toBe(Number(row.generation) >= change.generation ? '0.45' : '0.5');
        expect([row.alpha_cluster, row.beta_cluster]).toEqual(['0.5', '0.5']);
      }

      // Keyboard: each chart is one Tab stop, named by its title and newest values…
      await page.setViewportSize({ width: 1280, height: 800 });
      const accuracy = page.getByTestId('chart-box-testAccuracy');
      await accuracy.focus();
      expect(await accuracy.getAttribute('aria-label')).toMatch(/^Test accuracy\. asexual: [\d.]+ % at generation 3/);
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
      // Between two charts, only the next one's "About …" button (its metric's explanation).
      const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
      for (const next of ['synapticEfficiency', 'clusterEfficiency', 'loss']) {
        await page.keyboard.press('Tab');
        expect(await focused()).toBe('explain-button');
        expect(await focusedLabel()).toMatch(/^About /);
        await page.keyboard.press('Tab');
        expect(await focused()).toBe(`chart-box-${next}`);
      }
      // …and its table is one key away, focused so that the keyboard can scroll it; Esc goes back.
      await accuracy.focus();
      await page.keyboard.press('t');
      expect(await focused()).toBe('table-box-testAccuracy');
      expect(await page.getByTestId('table-testAccuracy').locator('tbody tr').count()).toBe(3);
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press('Escape');
      expect(await focused()).toBe('chart-box-testAccuracy');

      // The heatmap's readout follows a keyboard cursor: arrows within a layer, Page Down to the next.
      const map = page.getByTestId('heatmap').first();
      const readout = page.getByTestId('heatmap-readout').first();
      await map.focus();
      expect(await readout.innerText()).toMatch(/^conv1: filter 1 of 32, kernel 1 of 1: (alive|dead|died)/);
      await page.keyboard.press('ArrowRight');
      expect(await readout.innerText()).toMatch(/^conv1: filter 2 of 32/);
      await page.keyboard.press('PageDown');
      await page.keyboard.press('ArrowDown');
      expect(await readout.innerText()).toMatch(/^conv2: filter 2 of 32, kernel 2 of 32/);
      await page.screenshot({ path: path.join(artifacts, 'classroom-keyboard-heatmap.png') });
      expect(await axeViolations(page)).toEqual([]);

      // Presenter mode: large type, one chart per row, big heatmap cells, no advanced settings.
      await page.getByTestId('present').click();
      await page.waitForFunction(() => document.documentElement.classList.contains('present'));
      expect(new URL(page.url()).searchParams.get('present')).toBe('1');
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize)).toBe('24px');
      await page.setViewportSize({ width: 1920, height: 1080 });
      await settled(page);
      const boxes = await page
        .locator('.chart-box')
        .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.width]));
      expect(new Set(boxes.map(([left]) => Math.round(left))).size).toBe(1); // one column
      expect(boxes.every(([, width]) => width > 1500)).toBe(true);
      expect(await page.locator('details.advanced').first().isVisible()).toBe(false);
      await expect
        .poll(() => map.getAttribute('data-min-grid-height'), { timeout: 5000 })
        .toSatisfy((h) => Number(h) >= 28);
      expect(Number(await map.getAttribute('data-cell'))).toBeGreaterThanOrEqual(9);
      await checkSizes(page, 'presenter');
      await page.setViewportSize({ width: 1920, height: 1080 });
      await page.screenshot({ path: path.join(artifacts, 'classroom-presenter-full.png'), fullPage: true });
      await page.getByTestId('present').click();
      await page.waitForFunction(() => !document.documentElement.classList.contains('present'));
      expect(logs.filter((l) => l.startsWith('pageerror') || /favicon|404/.test(l))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
