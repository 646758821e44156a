/**
 * Instant replay and "Open a run" (issue 16, part 2): the recorded MNIST comparison the site
 * ships replays from a cold load to its last generation, verdict shown, in well under a minute;
 * a comparison exported after a live run, opened in a fresh browser profile, shows the same
 * numbers; a preset's recorded runs replay from the setup; every file of a corpus of malformed
 * ones gets a clear message and leaves the page as it was; the Saved sessions list; axe-core
 * finds no violation in any of these states.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, axeViolations, baseUrl, launch, openLab, root, waitForStatuses } from './browser';

const TINY =
  'generations=3&epochs=1&ancestorEpochs=1&train=300&test=200&backend=wasm&ancestor=train&rho=0.5&runs=asexual,sexual';

let browser: Awaited<ReturnType<typeof launch>>;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** What the run cards and the verdict show: the numbers a reader compares. */
const shownNumbers = (page: Page) =>
  page.evaluate(() => ({
    cards: [...document.querySelectorAll('[data-testid="latest"]')].map((e) => (e as HTMLElement).innerText),
    verdict: (document.querySelector('[data-testid="verdict-headline"]') as HTMLElement | null)?.innerText ?? null,
  }));

const replayGeneration = async (page: Page) =>
  Number(await page.getByTestId('replay-generation').getAttribute('data-generation'));

/** The malformed files: each must be refused with a message naming it and what is wrong. */
const VALID_RUN = readFileSync(path.join(root, 'public/recorded/mnist-10pct-defaults-seed1/asexual.json'), 'utf8');
const valid = JSON.parse(VALID_RUN) as Record<string, unknown> & { records: Record<string, unknown>[] };
const withRecord = (change: Record<string, unknown>) =>
  JSON.stringify({ ...valid, records: [{ ...valid.records[0], ...change }, ...valid.records.slice(1)] });
const CORPUS: { name: string; body: string | Buffer; says: RegExp }[] = [
  { name: 'empty.json', body: '', says: /empty|JSON/i },
  { name: 'not-json.json', body: 'hello, class', says: /JSON/i },
  { name: 'truncated.json', body: VALID_RUN.slice(0, 5000), says: /JSON|truncated|end/i },
  { name: 'a-list.json', body: '[1, 2, 3]', says: /object|list|array|runs/i },
  { name: 'null.json', body: 'null', says: /object|null/i },
  { name: 'wrong-format.json', body: JSON.stringify({ ...valid, format: 'something-else' }), says: /format/i },
  { name: 'future-version.json', body: JSON.stringify({ ...valid, version: 99 }), says: /version/i },
  { name: 'no-config.json', body: JSON.stringify({ ...valid, config: undefined }), says: /config/i },
  { name: 'records-not-list.json', body: JSON.stringify({ ...valid, records: 'many' }), says: /records/i },
  { name: 'accuracy-too-high.json', body: withRecord({ testAccuracy: 1.7 }), says: /testAccuracy/ },
  { name: 'negative-generation.json', body: withRecord({ generation: -3 }), says: /generation/ },
  { name: 'synapses-text.json', body: withRecord({ synapses: 'lots' }), says: /synapses/ },
  {
    name: 'unknown-dataset.json',
    body: JSON.stringify({ ...valid, config: { ...(valid.config as object), dataset: 'imagenet' } }),
    says: /dataset/,
  },
  {
    name: 'empty-comparison.json',
    body: JSON.stringify({ format: 'evolab-comparison', version: 1, runs: [] }),
    says: /runs/,
  },
  { name: 'gzip.json', body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4]), says: /JSON/i },
  { name: 'csv.json', body: 'generation,testAccuracy\n1,0.97\n', says: /JSON/i },
  {
    name: 'session-without-runs.json',
    body: JSON.stringify({ format: 'evolab-session', version: 1, id: 'x', setup: {}, runs: [] }),
    says: /setup|runs/i,
  },
];

describe('instant replay and opening runs', () => {
  it('replays the shipped MNIST comparison from a cold load to its verdict in under 60 s', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const logs: string[] = [];
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    try {
      const started = Date.now();
      await page.goto(`${baseUrl()}/`);
      await page.getByTestId('open-run-button').click();
      await page.getByTestId('replay-recorded').first().click();
      await page.getByTestId('replay-bar').waitFor();
      expect(await replayGeneration(page)).toBe(1);
      await page.waitForFunction(
        () => document.querySelector('[data-testid="replay-generation"]')?.getAttribute('data-generation') === '13',
        null,
        { timeout: 60_000, polling: 100 },
      );
      await page.getByTestId('verdict-headline').waitFor({ timeout: 5_000 });
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `replay of the recorded comparison: cold load to generation 13 with the verdict in ${seconds.toFixed(1)} s`,
      );
      expect(seconds).toBeLessThan(60);
      expect(await page.getByTestId('replay-play').innerText()).toBe('Replay again');
      await waitForStatuses(page, 'completed', 5_000);
      expect(
        await page
          .locator('[data-testid="latest"]')
          .evaluateAll((e) => e.map((x) => x.getAttribute('data-generation'))),
      ).toEqual(['13', '13']);
      // Every panel draws the replayed runs: heatmaps and the mating view too.
      await expect.poll(() => page.getByTestId('heatmap').count(), { timeout: 10_000 }).toBe(2);
      await page.getByTestId('mating-section').waitFor();
      expect(new URL(page.url()).searchParams.get('replay')).toBe('mnist-10pct-defaults-seed1');
      await page.screenshot({ path: path.join(artifacts, 'replay-recorded-end.png') });
      expect(await axeViolations(page)).toEqual([]);

      // The scrubber goes back; the verdict waits again; the keyboard moves it one generation.
      await page.getByTestId('replay-scrubber').fill('5');
      expect(await replayGeneration(page)).toBe(5);
      expect(await page.locator('[data-testid="latest"]').first().getAttribute('data-generation')).toBe('5');
      await page.getByTestId('replay-scrubber').focus();
      await page.keyboard.press('ArrowRight');
      expect(await replayGeneration(page)).toBe(6);
      await page.getByTestId('replay-speed').selectOption('8');
      await page.getByTestId('replay-play').click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="replay-generation"]')?.getAttribute('data-generation') === '13',
        null,
        { timeout: 20_000 },
      );

      // A link to the replay opens it again on a cold load.
      await page.goto(`${baseUrl()}/?replay=mnist-10pct-defaults-seed1`);
      await page.getByTestId('replay-bar').waitFor({ timeout: 20_000 });
      await page.getByTestId('replay-close').click();
      await page.getByTestId('replay-bar').waitFor({ state: 'detached' });
      expect(await page.locator('[data-testid="latest"]').count()).toBe(0);

      // A preset's recorded runs replay from the setup: the pruning comparison's three runs.
      await page.getByTestId('preset').selectOption('pruning');
      await page.getByTestId('replay-preset').click();
      await page.getByTestId('replay-bar').waitFor({ timeout: 20_000 });
      await page.getByTestId('replay-scrubber').fill('13');
      await page.getByTestId('verdict-headline').waitFor({ timeout: 10_000 });
      expect(
        await page
          .locator('[data-testid="latest"]')
          .evaluateAll((e) => e.map((x) => x.getAttribute('data-generation'))),
      ).toEqual(['13', '13', '13']);
      // The address follows the replay (written a moment after it changes).
      await expect
        .poll(() => new URL(page.url()).searchParams.get('replay'), { timeout: 5_000 })
        .toBe('preset-pruning-seed1');
      expect(await axeViolations(page)).toEqual([]);
      await page.getByTestId('replay-close').click();
      await page.getByTestId('replay-bar').waitFor({ state: 'detached' });
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });

      // The CIFAR-10 recording too (three-channel heatmaps), on a phone: nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByTestId('open-run-button').click();
      await page.locator('[data-recorded-id="cifar10-5k-defaults-seed1"]').getByTestId('replay-recorded').click();
      await page.getByTestId('replay-bar').waitFor();
      await page.getByTestId('replay-scrubber').fill('10');
      await page.getByTestId('verdict-headline').waitFor({ timeout: 10_000 });
      // The page checked MNIST's files; the replay trains nothing and claims nothing of CIFAR-10's.
      await page.getByTestId('data-replay').waitFor();
      expect(await page.getByTestId('data-ok').count()).toBe(0);
      await expect.poll(() => page.getByTestId('heatmap').count(), { timeout: 10_000 }).toBe(2);
      const widths = () => page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      let [scrollWidth, innerWidth] = await widths();
      expect(scrollWidth, 'replay at 390 px').toBeLessThanOrEqual(innerWidth);
      await page.screenshot({ path: path.join(artifacts, 'replay-cifar-390.png') });
      expect(await axeViolations(page)).toEqual([]);
      await page.getByTestId('saved-sessions-button').click();
      await page.getByTestId('saved-empty').waitFor();
      [scrollWidth, innerWidth] = await widths();
      expect(scrollWidth, 'saved sessions at 390 px').toBeLessThanOrEqual(innerWidth);
      expect(await axeViolations(page)).toEqual([]);
      expect(logs).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a comparison exported after a live run shows the same numbers when opened in a fresh profile; bad files get clear messages', async () => {
    const { page, context, logs } = await openLab(browser, TINY);
    let exported: string;
    let before: Awaited<ReturnType<typeof shownNumbers>>;
    try {
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });
      await page.getByTestId('primary').click();
      await waitForStatuses(page, 'completed', 240_000);
      await page.getByTestId('verdict-headline').waitFor({ timeout: 10_000 });
      before = await shownNumbers(page);
      const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all').click()]);
      exported = readFileSync(await d.path(), 'utf8');

      // The Saved sessions list holds this session: its dataset and generations, a size, the storage used.
      await page.getByTestId('saved-sessions-button').click();
      const row = page.getByTestId('saved-session').first();
      await row.waitFor();
      expect(await row.getByTestId('session-generations').innerText()).toBe('3');
      expect(await page.getByTestId('storage-used').innerText()).toMatch(/uses [\d.]+ [kMG]?B/);
      await row.getByTestId('session-rename').click();
      await row.getByTestId('session-name-input').fill('Lesson 1');
      await row.getByTestId('session-name-save').click();
      await expect.poll(() => row.getByTestId('session-name').innerText()).toBe('Lesson 1');
      expect(await axeViolations(page)).toEqual([]);
      // Replaying it from the list shows the same numbers at its end; closing the replay puts the page back.
      await row.getByTestId('session-replay').click();
      await page.getByTestId('replay-speed').selectOption('8');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="replay-generation"]')?.getAttribute('data-generation') === '3',
        null,
        { timeout: 20_000 },
      );
      expect(await shownNumbers(page)).toEqual(before);
      await page.getByTestId('replay-close').click();
      await waitForStatuses(page, 'completed', 5_000);
      expect(await page.getByTestId('reset').isEnabled()).toBe(true);
      expect(logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
    } finally {
      await context.close();
    }

    // A fresh profile (a new browser: IndexedDB empty): open the exported file by the file picker.
    const fresh = await launch();
    try {
      const { page, logs } = await openLab(fresh, '');
      await page.getByTestId('open-run-button').click();
      const rho = await page.getByTestId('rho').inputValue();

      // The corpus of malformed files: one message each, naming the file; nothing else changes.
      for (const bad of CORPUS) {
        await page.getByTestId('open-run-input').setInputFiles({
          name: bad.name,
          mimeType: 'application/json',
          buffer: Buffer.isBuffer(bad.body) ? bad.body : Buffer.from(bad.body),
        });
        const problem = page.getByTestId('open-run-problem');
        await expect.poll(() => problem.count(), { timeout: 5_000 }).toBe(1);
        const text = await problem.innerText();
        expect(text, bad.name).toContain(bad.name);
        expect(text, bad.name).toMatch(bad.says);
        expect(await page.getByTestId('replay-bar').count(), bad.name).toBe(0);
        expect(await page.locator('[data-status]').count(), bad.name).toBe(0);
        expect(await page.getByTestId('rho').inputValue(), bad.name).toBe(rho);
      }
      expect(CORPUS.length).toBeGreaterThanOrEqual(15);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: path.join(artifacts, 'replay-bad-file.png') });

      await page.getByTestId('open-run-input').setInputFiles({
        name: 'evolab-comparison.json',
        mimeType: 'application/json',
        buffer: Buffer.from(exported),
      });
      await page.getByTestId('replay-bar').waitFor();
      expect(await page.getByTestId('open-run-problem').count()).toBe(0);
      await page.getByTestId('replay-scrubber').fill('3');
      await page.getByTestId('verdict-headline').waitFor({ timeout: 10_000 });
      expect(await shownNumbers(page)).toEqual(before);
      expect(await axeViolations(page)).toEqual([]);
      expect(logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
