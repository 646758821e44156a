/// <reference lib="webworker" />
/** The browser side of `npm run bench`: one backend, measured in a dedicated module Worker. */
import { configureWasmPaths, probeWebGpu, selectBackend, type BackendPreference } from '../../src/nn/model/backend';
import { startWorkerPeers } from '../../src/worker/worker-peer';
import { ancestorGenome, throughput, type Throughput } from '../lenet';

export interface WorkerRequest {
  backend: string;
  batches: number;
  inferBatches: number;
  inferBatchSize: number;
  /** Helper Workers that share every step (the lab's data-parallel training). */
  peers: number;
  wasmBase: string;
  /** performance.timeOrigin of the page, to time from page start to the first trained batch. */
  pageStart: number;
  /** WebGPU on a hardware adapter only: without one, answer `none` instead of measuring a CPU fallback. */
  realGpu?: boolean;
}

export type WorkerResult =
  | { error: string }
  /** Nothing to measure here, and why (no hardware WebGPU adapter). */
  | { none: string }
  | (Throughput & { backend: string; reason: string; backendSeconds: number; pageToFirstStepSeconds: number });

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const r = e.data;
  try {
    configureWasmPaths(r.wasmBase);
    if (r.realGpu) {
      const probe = await probeWebGpu();
      if (!probe.usable) return self.postMessage({ none: probe.why } satisfies WorkerResult);
    }
    const t0 = performance.now();
    const choice = await selectBackend(r.backend as BackendPreference);
    const backendSeconds = (performance.now() - t0) / 1000;
    if (choice.backend !== r.backend)
      throw new Error(`asked for ${r.backend}, got ${choice.backend}: ${choice.reason}`);
    const peers = r.peers > 0 ? await startWorkerPeers(r.peers, choice.backend as BackendPreference, r.wasmBase) : [];
    const result = await throughput(ancestorGenome(), {
      batches: r.batches,
      warmup: 1,
      inferBatches: r.inferBatches,
      inferBatchSize: r.inferBatchSize,
      peers,
    });
    for (const p of peers) p.dispose();
    // Page start → backend ready → the first batch trained (from the Worker's clock).
    const pageToFirstStepSeconds =
      (performance.timeOrigin + t0 - r.pageStart) / 1000 + backendSeconds + result.firstStepSeconds;
    self.postMessage({
      ...result,
      backend: choice.backend,
      reason: choice.reason,
      backendSeconds,
      pageToFirstStepSeconds,
    } satisfies WorkerResult);
  } catch (err) {
    self.postMessage({ error: String((err as Error)?.stack ?? err) } satisfies WorkerResult);
  }
};
