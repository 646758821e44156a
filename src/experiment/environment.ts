/** Starting the compute backend and describing where a run ran, for run.json and the page. */
import * as tf from '@tensorflow/tfjs';
import { configureWasmPaths, selectBackend, webgpuDeviceLost } from '../nn/model/backend';
import {
  chooseAutoBackend,
  type AutoChoice,
  type AutoOptions,
  type MeasuredHelpers,
  type MeasuredNetwork,
} from '../nn/model/backend-auto';
import type { BackendSelection } from '../nn/model/backend-chooser';
import type { GradientPeer } from '../nn/model/gradient-peer';
import { simdKernelsOf } from '../nn/kernels/wasm-heap';
import type { BackendPreference } from './config';
import type { EnvironmentInfo } from './records';

export interface BackendChoice {
  backend: string;
  reason: string;
  /** Every backend tried, in order, as `name: why` (for the page's backend status). */
  tried?: string[];
  /** How `auto` chose (measured, cached or the only candidate); absent for a backend asked for by name. */
  selection?: BackendSelection;
  /** Helpers started to measure wasm with them, when wasm was chosen: the run keeps them. */
  helpers?: GradientPeer[];
  /** On webgpu: resolves with why if the GPU device is lost; the run then falls back to wasm. */
  lost?: Promise<string>;
}

export interface StartBackendOptions {
  /** Absolute URL of the folder serving tfjs' .wasm files; the browser needs it, Node does not. */
  wasmBaseUrl?: string;
  /** `auto`: the network the run trains, to time it (default: the MNIST ancestor at batch 64). */
  network?: MeasuredNetwork;
  /** `auto`: helpers that would share wasm's steps, started only if wasm is timed. */
  helpers?: MeasuredHelpers;
  /** `auto`: progress to show while the candidates are timed. */
  onStage?(message: string): void;
}

/** What the Worker or the CLI adds for `auto`: where measurements are cached, the lock, the cores. */
export type AutoEnvironment = Pick<AutoOptions, 'cache' | 'exclusive' | 'cores' | 'budgetMs'>;

export async function startBackend(
  preference: BackendPreference,
  options: StartBackendOptions = {},
  auto: AutoEnvironment = {},
): Promise<BackendChoice> {
  if (options.wasmBaseUrl) configureWasmPaths(options.wasmBaseUrl);
  const choice: Omit<AutoChoice, 'selection'> & Partial<Pick<AutoChoice, 'selection'>> =
    preference === 'auto'
      ? await chooseAutoBackend({
          ...auto,
          network: options.network,
          helpers: options.helpers,
          onStage: options.onStage,
        })
      : await selectBackend(preference);
  const lost = webgpuDeviceLost();
  return {
    backend: choice.backend,
    reason: choice.reason,
    tried: choice.tried.map((t) => `${t.backend}: ${t.ok ? 'ok' : t.why}`),
    ...(choice.selection ? { selection: choice.selection } : {}),
    ...(choice.helpers ? { helpers: choice.helpers } : {}),
    ...(lost ? { lost } : {}),
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
    ...(choice.selection ? { backendSelection: choice.selection } : {}),
    ...(choice.backend === 'wasm' && tf.getBackend() === 'wasm'
      ? { wasmKernels: simdKernelsOf(tf.backend()) ? 'evolab-simd' : 'tfjs' }
      : {}),
  };
}
