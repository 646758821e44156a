/** Starting the compute backend and describing where a run ran, for run.json and the page. */
import * as tf from '@tensorflow/tfjs';
import { configureWasmPaths, selectBackend } from '../nn/model/backend';
import { simdKernelsOf } from '../nn/kernels/wasm-heap';
import type { BackendPreference } from './config';
import type { EnvironmentInfo } from './records';

export interface BackendChoice {
  backend: string;
  reason: string;
  /** Every backend tried, in order, as `name: why` (for the page's backend status). */
  tried?: string[];
}

export interface StartBackendOptions {
  /** Absolute URL of the folder serving tfjs' .wasm files; the browser needs it, Node does not. */
  wasmBaseUrl?: string;
}

export async function startBackend(
  preference: BackendPreference,
  options: StartBackendOptions = {},
): Promise<BackendChoice> {
  if (options.wasmBaseUrl) configureWasmPaths(options.wasmBaseUrl);
  const choice = await selectBackend(preference);
  return {
    backend: choice.backend,
    reason: choice.reason,
    tried: choice.tried.map((t) => `${t.backend}: ${t.ok ? 'ok' : t.why}`),
  };
}

/** Node's `process`, where there is one; typed here because this module also runs in the browser. */
const nodeProcess = (globalThis as { process?: { versions?: { node?: string }; platform: string; arch: string } })
  .process;

export function environmentInfo(choice: BackendChoice, threads = 1): EnvironmentInfo {
  const runtime = nodeProcess?.versions?.node
    ? `node ${nodeProcess.versions.node} (${nodeProcess.platform}-${nodeProcess.arch})`
    : typeof navigator !== 'undefined'
      ? navigator.userAgent
      : 'unknown';
  return {
    backend: choice.backend,
    backendReason: choice.reason,
    runtime,
    tfjsVersion: tf.version_core,
    startedAt: new Date().toISOString(),
    threads,
    ...(choice.backend === 'wasm' && tf.getBackend() === 'wasm'
      ? { wasmKernels: simdKernelsOf(tf.backend()) ? 'evolab-simd' : 'tfjs' }
      : {}),
  };
}
