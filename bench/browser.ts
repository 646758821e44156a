/**
 * The browser part of the benchmark: serves bench/browser with Vite and measures each backend
 * in Debian's Chromium (PLATFORM.md) through Playwright, one fresh browser per backend.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import type { WorkerResult } from './browser/worker';
import { CHROMIUM, CHROMIUM_ARGS } from '../src/testing/chromium';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

export interface BrowserCase {
  backend: 'wasm' | 'webgl' | 'webgpu';
  batches: number;
  inferBatches: number;
  inferBatchSize: number;
  timeoutSeconds: number;
  /** Helper Workers sharing every step (src/worker/worker-peer.ts); default 0. */
  peers?: number;
  /** WebGPU on a hardware adapter only (the row that a machine with a GPU fills in); none here says why. */
  realGpu?: boolean;
}

type Measured = Exclude<WorkerResult, { error: string } | { none: string }>;

export type BrowserResult = (
  { backend: string; error: string } | { backend: string; none: string } | (Measured & { wallSeconds: number })
) & { peers: number; realGpu?: boolean };

export async function runBrowserBench(cases: BrowserCase[], log: (s: string) => void): Promise<BrowserResult[]> {
  if (!existsSync(CHROMIUM))
    return cases.map((c) => ({
      backend: c.backend,
      peers: c.peers ?? 0,
      ...(c.realGpu ? { realGpu: true } : {}),
      error: `${CHROMIUM} is missing (apt-get install -y chromium)`,
    }));
  // A production build, as people get it: a dev server's on-demand transforms would dominate
  // the time to the first step.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'evolab-bench-'));
  const publicDir = path.join(tmp, 'public');
  const outDir = path.join(tmp, 'dist');
  mkdirSync(publicDir);
  const wasmDir = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')))
    copyFileSync(path.join(wasmDir, f), path.join(publicDir, f));
  const config = {
    configFile: false as const,
    root: path.join(here, 'browser'),
    publicDir,
    logLevel: 'error' as const,
    worker: { format: 'es' as const },
    // tfjs' threaded wasm glue breaks under minification (PLATFORM.md).
    build: { outDir, emptyOutDir: true, minify: false, target: 'es2022' },
  };
  log('browser: building the bench page…');
  await build(config);
  const server = await preview({ ...config, preview: { port: 0, host: '127.0.0.1' } });
  const url = server.resolvedUrls!.local[0];
  const results: BrowserResult[] = [];
  try {
    for (const c of cases) {
      const peers = c.peers ?? 0;
      log(`browser ${c.backend}${peers ? ` + ${peers} helper Worker(s)` : ''}: ${c.batches} training batches…`);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        // A hardware adapter on Linux needs Vulkan; without a GPU, SwiftShader's fallback is all there is.
        args:
          c.backend !== 'webgpu'
            ? CHROMIUM_ARGS
            : [
                ...CHROMIUM_ARGS,
                '--enable-unsafe-webgpu',
                ...(c.realGpu ? ['--enable-features=Vulkan', '--ignore-gpu-blocklist'] : []),
              ],
      });
      try {
        const page = await browser.newPage();
        const t0 = Date.now();
        await page.goto(
          `${url}?backend=${c.backend}&batches=${c.batches}&inferBatches=${c.inferBatches}&inferBatch=${c.inferBatchSize}&peers=${peers}${c.realGpu ? '&realGpu=1' : ''}`,
        );
        await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench !== undefined, null, {
          timeout: c.timeoutSeconds * 1000,
          polling: 500,
        });
        const r = (await page.evaluate(() => (window as unknown as { __bench: WorkerResult }).__bench)) as WorkerResult;
        const realGpu = c.realGpu ? { realGpu: true } : {};
        results.push(
          'error' in r
            ? { backend: c.backend, peers, error: r.error, ...realGpu }
            : 'none' in r
              ? { backend: c.backend, peers, none: r.none, ...realGpu }
              : { ...r, peers, wallSeconds: (Date.now() - t0) / 1000, ...realGpu },
        );
      } catch (e) {
        results.push({
          backend: c.backend,
          peers,
          error: (e as Error).message.split('\n')[0],
          ...(c.realGpu ? { realGpu: true } : {}),
        });
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}
