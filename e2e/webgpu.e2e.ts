/**
 * WebGPU in the Worker: Chromium with --enable-unsafe-webgpu (a SwiftShader CPU adapter on a
 * machine without a GPU). Forced through the URL, the run must really use webgpu and finish a
 * generation. The first step compiles shaders, which takes 15–30 s here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../src/experiment/records';
import { launch, openLab, shot, waitForStatuses } from './browser';
import { readFileSync } from 'node:fs';

const TINY_WEBGPU =
  'backend=webgpu&runs=asexual&generations=1&ancestorEpochs=1&train=64&test=64&batch=32&ancestor=train';

let browser: Awaited<ReturnType<typeof launch>>;
beforeAll(async () => {
  browser = await launch(['--enable-unsafe-webgpu']);
});
afterAll(async () => {
  await browser?.close();
});

describe('the lab on webgpu', () => {
  it('runs in the Worker on webgpu and completes a generation', async () => {
    const { page, context, logs } = await openLab(browser, TINY_WEBGPU);
    try {
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });
      const t0 = Date.now();
      await page.getByTestId('primary').click();
      await page.getByTestId('backend-name').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('backend-name').innerText()).toBe('webgpu');
      await shot(page, 'webgpu-starting');
      await waitForStatuses(page, 'completed', 240_000);
      console.log(`tiny webgpu run: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await shot(page, 'webgpu-finished');
      const card = page.getByTestId('run-asexual');
      const [d] = await Promise.all([page.waitForEvent('download'), card.getByTestId('export-json').click()]);
      const report = JSON.parse(readFileSync(await d.path(), 'utf8')) as RunReport;
      expect(report.environment.backend).toBe('webgpu');
      expect(report.records.length).toBeGreaterThanOrEqual(1);
      expect(report.records[0].testImages).toBe(64);
      expect(logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
