/**
 * Bench page: runs the measurement in a module Worker (as the lab does) and exposes the result
 * as window.__bench for Playwright. Query: ?backend=wasm|webgl|webgpu&batches=N&inferBatches=N&inferBatch=N&peers=N
 * (&realGpu=1: webgpu only on a hardware adapter; otherwise the result says there is none)
 */
import type { WorkerRequest, WorkerResult } from './worker';

const q = new URLSearchParams(location.search);
const request: WorkerRequest = {
  backend: q.get('backend') ?? 'wasm',
  batches: Number(q.get('batches') ?? 10),
  inferBatches: Number(q.get('inferBatches') ?? 4),
  inferBatchSize: Number(q.get('inferBatch') ?? 256),
  peers: Number(q.get('peers') ?? 0),
  realGpu: q.get('realGpu') === '1',
  wasmBase: new URL('/', location.href).href,
  pageStart: performance.timeOrigin,
};
const w = window as unknown as { __bench?: WorkerResult };
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
worker.onmessage = (e: MessageEvent<WorkerResult>) => {
  w.__bench = e.data;
  document.getElementById('status')!.textContent = JSON.stringify(e.data);
};
worker.onerror = (e) => {
  w.__bench = { error: `worker error: ${e.message}` };
};
worker.postMessage(request);
