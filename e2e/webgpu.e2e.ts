/**
 * WebGPU in the Worker: Chromium with --enable-unsafe-webgpu (a SwiftShader CPU adapter on a
 * machine without a GPU). Forced through the URL, the run must really use webgpu and finish a
 * generation. The first step compiles shaders, which takes 15–30 s here. A lost device (issue 21)
 * is simulated with device.destroy(): the run goes on on wasm from its last checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
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

  it('continues on wasm from the last checkpoint when the WebGPU device is lost', async () => {
    // Generation 1 is the shipped ancestor (a checkpoint); generation 2 starts on webgpu.
    const { page, context, logs } = await openLab(
      browser,
      'backend=webgpu&runs=asexual&generations=2&train=64&test=64&batch=32&ancestor=shipped',
    );
    try {
      await page.getByTestId('data-ok').waitFor({ timeout: 20_000 });
      const t0 = Date.now();
      await page.getByTestId('primary').click();
      await page.getByTestId('backend-name').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('backend-name').innerText()).toBe('webgpu');
      // A batch of generation 2 trained on webgpu (its shaders compiled), then the device goes.
      await page.locator('[aria-label="epoch progress"]').waitFor({ timeout: 120_000 });
      const destroyed = await destroyWebGpuDevice(page);
      expect(destroyed).toBe(1);
      await waitForStatuses(page, 'completed', 120_000);
      console.log(`lost device, continued on wasm: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await shot(page, 'webgpu-device-lost');
      expect(await page.getByTestId('backend-status').innerText()).toMatch(/The GPU device was lost/);
      const card = page.getByTestId('run-asexual');
      const [d] = await Promise.all([page.waitForEvent('download'), card.getByTestId('export-json').click()]);
      const report = JSON.parse(readFileSync(await d.path(), 'utf8')) as RunReport;
      expect(report.finished).toBe(true);
      expect(report.environment.backend).toBe('wasm');
      expect(report.environment.backendChanges).toEqual([
        { afterGeneration: 1, from: 'webgpu', to: 'wasm', reason: expect.any(String) },
      ]);
      // Nothing lost: the ancestor's record and generation 2's, once each.
      expect(report.records.map((r) => r.generation)).toEqual([1, 2]);
      expect(report.records[1].testImages).toBe(64);
      expect(logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

/**
 * Destroys the GPU device of every run Worker training on webgpu, through tfjs' global engine
 * (the test reaches into tfjs: the app has no hook for this). Returns how many it destroyed.
 */
async function destroyWebGpuDevice(page: Page): Promise<number> {
  let destroyed = 0;
  for (const worker of page.workers()) {
    const hit = await worker.evaluate(() => {
      const engine = (globalThis as { _tfengine?: { backendName: string; backendInstance: unknown } })._tfengine;
      if (engine?.backendName !== 'webgpu') return false;
      (engine.backendInstance as { device: { destroy(): void } }).device.destroy();
      return true;
    });
    if (hit) destroyed++;
  }
  return destroyed;
}
