/** Shared helpers of the browser tests: Debian's Chromium, a page that records long tasks, artifacts. */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../src/testing/chromium';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const artifacts = path.join(root, 'e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

export const baseUrl = () => inject('baseUrl');

export async function launch(extraArgs: string[] = []): Promise<Browser> {
  // launch() gives every browser a fresh temporary profile (so IndexedDB starts empty).
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/** Records every main-thread long task (PerformanceObserver 'longtask') from the first paint on. */
const LONG_TASKS = `
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
`;

export interface LabPage {
  context: BrowserContext;
  page: Page;
  logs: string[];
}

/** The browser context the lab pages open in (create one yourself to route requests before the page loads). */
export const newLabContext = (browser: Browser) =>
  browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });

export async function openLab(browser: Browser, query: string, context?: BrowserContext): Promise<LabPage> {
  const ctx = context ?? (await newLabContext(browser));
  const page = await ctx.newPage();
  await page.addInitScript(LONG_TASKS);
  const logs: string[] = [];
  page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await page.goto(`${baseUrl()}/?${query}`);
  await page.getByTestId('primary').waitFor();
  return { context: ctx, page, logs };
}

export async function longTasksSince(page: Page, since: number): Promise<{ start: number; duration: number }[]> {
  return page.evaluate(
    (t) =>
      (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter(
        (x) => x.start >= t,
      ),
    since,
  );
}

export const now = (page: Page) => page.evaluate(() => performance.now());

/**
 * Saves a screenshot; returns the page-time window it took, because capturing (a full-page one
 * especially, which resizes the view) makes main-thread work of its own that is not the lab's.
 */
export async function shot(page: Page, name: string, fullPage = false): Promise<[number, number]> {
  const start = await now(page);
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage });
  // Layout and paint triggered by the capture can spill into the next frame.
  await page.waitForTimeout(300);
  return [start, await now(page)];
}

/** Long tasks that do not overlap any of the excluded windows. */
export function outside(tasks: { start: number; duration: number }[], windows: [number, number][]) {
  return tasks.filter((t) => !windows.some(([a, b]) => t.start < b && t.start + t.duration > a));
}

/** Waits until every run card reports the status (e.g. 'completed'). */
export async function waitForStatuses(page: Page, status: string, timeout: number) {
  try {
    await page.waitForFunction(
      (s) => {
        const cards = [...document.querySelectorAll('[data-status]')];
        return cards.length > 0 && cards.every((c) => c.getAttribute('data-status') === s);
      },
      status,
      { timeout, polling: 250 },
    );
  } catch (e) {
    // Say where the runs were instead: the statuses and what the cards show.
    const cards = await page
      .locator('[data-status]')
      .evaluateAll((els) =>
        els.map(
          (c) => `${c.getAttribute('data-status')}: ${(c as HTMLElement).innerText.replace(/\s+/g, ' ').slice(0, 300)}`,
        ),
      );
    throw new Error(`waiting for every run to be '${status}': ${(e as Error).message}\n${cards.join('\n')}`, {
      cause: e,
    });
  }
}

/** The newest finished generation of each run, as its card shows it. */
export async function latestGenerations(page: Page): Promise<number[]> {
  return page
    .locator('[data-testid="latest"]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-generation'))));
}

/** Waits until every run has finished at least `generation` generations (heatmaps show them). */
export async function waitForGeneration(page: Page, generation: number, runs: number, timeout: number) {
  await page.waitForFunction(
    ([g, n]) => {
      const done = [...document.querySelectorAll('[data-testid="latest"]')].map((dl) =>
        Number(dl.getAttribute('data-generation')),
      );
      return done.length === n && done.every((x) => x >= g);
    },
    [generation, runs] as const,
    { timeout, polling: 250 },
  );
}

export interface TracedTask {
  /** Page time (performance.now()) at which the task started. */
  start: number;
  wall: number;
  /** CPU time the main thread really spent in the task. */
  cpu: number;
}

/**
 * Records Chromium's trace of the page's main thread, to tell the page's own long work from
 * stalls where the OS gave the main thread no CPU (other threads and processes on the same cores).
 * Returns a function that stops the trace and lists the main-thread tasks over 20 ms wall.
 */
export async function traceMainThread(browser: Browser, page: Page): Promise<() => Promise<TracedTask[]>> {
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'],
  });
  const markedAt = await page.evaluate(() => {
    performance.mark('evolab-trace-sync');
    return performance.now();
  });
  return async () => {
    const raw = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents?: TraceEvent[] } | TraceEvent[];
    const events = Array.isArray(raw) ? raw : (raw.traceEvents ?? []);
    const mark = events.find((e) => e.name === 'evolab-trace-sync');
    const main = new Set(
      events
        .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
        .map((e) => `${e.pid}:${e.tid}`),
    );
    if (!mark) return [];
    const offset = mark.ts / 1000 - markedAt;
    return events
      .filter((e) => e.name === 'RunTask' && e.ph === 'X' && main.has(`${e.pid}:${e.tid}`) && (e.dur ?? 0) > 20_000)
      .map((e) => ({ start: e.ts / 1000 - offset, wall: (e.dur ?? 0) / 1000, cpu: (e.tdur ?? e.dur ?? 0) / 1000 }));
  };
}

interface TraceEvent {
  name: string;
  ph?: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * The long tasks the page is to blame for: those in which the main thread itself worked more
 * than `limitMs` (the trace's CPU time), or that the trace cannot account for. A task that was
 * long in wall time only because the OS did not schedule the main thread (the 2 cores are shared
 * with the Workers, the test harness and the vite server) is reported, not blamed. Such stalls
 * happen even when the 1-minute load average is below the core count (seen: 61 ms wall, 2.8 ms
 * CPU, at load 1.4 on 2 cores).
 */
export function blameLongTasks(long: { start: number; duration: number }[], traced: TracedTask[], limitMs = 50) {
  // The trace's CPU time goes with every long task, so a failure says whether the page was working.
  // The traced task nearest in start time that overlaps the long task: the two clocks are
  // aligned by one mark, and a stall between the mark and its timestamp shifts them apart.
  const withCpu = long.map((t) => {
    const overlapping = traced.filter((x) => x.start < t.start + t.duration && t.start < x.start + x.wall);
    const match = overlapping.sort((a, b) => Math.abs(a.start - t.start) - Math.abs(b.start - t.start))[0];
    return { ...t, cpu: match ? match.cpu : null };
  });
  return {
    blamed: withCpu.filter((t) => t.cpu === null || t.cpu > limitMs),
    excused: withCpu.filter((t) => t.cpu !== null && t.cpu <= limitMs),
  };
}

let axeSource: string | undefined;

/** axe-core's violations on the whole page as it is now, as short lines (rule, impact, where, why). */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: unknown[] }> } })
      .axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations as { id: string; impact: string; nodes: { target: string[]; failureSummary: string }[] }[];
  });
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
  );
}

/** Drops a file named `name` holding `bytes` on the Data panel's drop zone, as a person dragging it there. */
export async function dropFile(page: Page, name: string, bytes: ArrayLike<number>) {
  await page.evaluate(
    ([n, b]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], n));
      const zone = document.querySelector('[data-testid="dropzone"]')!;
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [name, Array.from(bytes)] as const,
  );
}
