/**
 * Backend selection with fallback: webgpu (only on a real GPU) → wasm → webgl → cpu.
 * Every choice comes with a human-readable reason and the list of what was tried, so the
 * app can show which backend runs and why (PLATFORM.md).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../kernels/register';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm' | 'webgl' | 'cpu';
export type BackendName = Exclude<BackendPreference, 'auto'>;

export interface BackendAttempt {
  backend: string;
  ok: boolean;
  why: string;
}

export interface BackendChoice {
  backend: string;
  reason: string;
  tried: BackendAttempt[];
}

export const AUTO_ORDER: readonly BackendName[] = ['webgpu', 'wasm', 'webgl', 'cpu'];

/** The parts of WebGPU's GPUAdapter we read (lib.dom in TS 5.9 has no WebGPU types). */
export interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
}
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

export interface GpuProbe {
  /** A hardware adapter: worth using. */
  usable: boolean;
  /** An adapter exists (maybe a CPU fallback); webgpu could still be forced. */
  present: boolean;
  why: string;
  /** What the adapter says it is (for the cache of measured choices: backend-chooser.ts). */
  adapter?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

function describe(a: GpuAdapterLike): string {
  const i = a.info ?? {};
  return [i.vendor, i.architecture, i.description].filter((s) => s).join(', ') || 'no adapter info';
}

/** Decides from an adapter alone whether WebGPU is a real GPU (pure; testable with fakes). */
export function judgeAdapter(adapter: GpuAdapterLike | null): GpuProbe {
  if (!adapter) return { usable: false, present: false, why: 'WebGPU has no adapter (requestAdapter() returned null)' };
  const i = adapter.info ?? {};
  const info = { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description };
  const text = `${i.vendor ?? ''} ${i.architecture ?? ''} ${i.description ?? ''}`.toLowerCase();
  const software = ['swiftshader', 'llvmpipe', 'lavapipe', 'warp', 'software'].find((s) => text.includes(s));
  if (adapter.isFallbackAdapter === true || i.isFallbackAdapter === true || software) {
    return {
      usable: false,
      present: true,
      why: `WebGPU adapter is a CPU fallback (${software ?? describe(adapter)})`,
      adapter: info,
    };
  }
  return { usable: true, present: true, why: `WebGPU adapter is a GPU (${describe(adapter)})`, adapter: info };
}

/** Asks `gpu` (navigator.gpu by default) for an adapter. */
export async function probeWebGpu(gpu?: GpuLike | null): Promise<GpuProbe> {
  const g = gpu === undefined ? (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu : gpu;
  if (!g) return { usable: false, present: false, why: 'WebGPU is not available here (no navigator.gpu)' };
  try {
    return judgeAdapter(await g.requestAdapter({ powerPreference: 'high-performance' }));
  } catch (e) {
    return { usable: false, present: false, why: `WebGPU requestAdapter() failed: ${(e as Error).message}` };
  }
}

/**
 * Where the browser should fetch tfjs' .wasm files from: an absolute URL ending in '/', e.g.
 * `new URL('/tfjs-wasm/', location.href).href`, so it also resolves inside a Worker.
 * Call before the first selectBackend(). Node needs no call: the package finds its own files.
 */
export function configureWasmPaths(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`configureWasmPaths needs an absolute URL, got '${baseUrl}'`);
  }
  const href = url.href.endsWith('/') ? url.href : `${url.href}/`;
  // tfjs ignores a later call once wasm runs, and throws only after a failed start.
  setWasmPaths(href);
}

const hasWebGlContext = (): boolean => typeof OffscreenCanvas !== 'undefined' || 'document' in globalThis;

async function activate(name: BackendName): Promise<string | null> {
  try {
    if (name === 'wasm') registerWasmTrainingKernels();
    // tf.setBackend returns false (with a console warning) rather than throwing on failure.
    const ok = await tf.setBackend(name);
    if (!ok) return `tf.setBackend('${name}') failed to initialise`;
    await tf.ready();
    return null;
  } catch (e) {
    return `tf.setBackend('${name}') threw: ${(e as Error).message}`;
  }
}

/** Tries to start one backend; `explicit`: asked for by name (a fallback WebGPU adapter is then accepted). */
export async function tryBackend(name: BackendName, explicit: boolean, gpu?: GpuLike | null): Promise<BackendAttempt> {
  if (name === 'webgpu') {
    const probe = await probeWebGpu(gpu);
    // A fallback adapter is ~40× slower than wasm here: only use it when asked for by name.
    if (!probe.usable && !(explicit && probe.present)) return { backend: name, ok: false, why: probe.why };
    try {
      // Loaded lazily so that Node (and browsers without WebGPU) never load it.
      await import('@tensorflow/tfjs-backend-webgpu');
    } catch (e) {
      return { backend: name, ok: false, why: `could not load the webgpu backend: ${(e as Error).message}` };
    }
    const failed = await activate(name);
    return { backend: name, ok: !failed, why: failed ?? probe.why };
  }
  if (name === 'webgl' && !hasWebGlContext()) {
    return { backend: name, ok: false, why: 'WebGL needs a canvas (no document or OffscreenCanvas here)' };
  }
  const failed = await activate(name);
  const why =
    failed ??
    (name === 'wasm' ? 'WebAssembly with SIMD kernels' : name === 'cpu' ? 'plain JavaScript (slow)' : 'WebGL');
  return { backend: name, ok: !failed, why };
}

/**
 * Activates the preferred backend, falling back along AUTO_ORDER. An explicit preference is
 * tried first, then the rest of the automatic order. Throws only if nothing works.
 * `probe.gpu` replaces navigator.gpu (tests; null = no WebGPU).
 */
export async function selectBackend(
  preference: BackendPreference,
  probe: { gpu?: GpuLike | null } = {},
): Promise<BackendChoice> {
  if (preference !== 'auto' && !AUTO_ORDER.includes(preference)) {
    throw new Error(`unknown backend preference '${String(preference)}' (expected auto, ${AUTO_ORDER.join(', ')})`);
  }
  const order = preference === 'auto' ? [...AUTO_ORDER] : [preference, ...AUTO_ORDER.filter((b) => b !== preference)];
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    const attempt = await tryBackend(name, name === preference, probe.gpu);
    tried.push(attempt);
    if (attempt.ok) {
      const failures = tried.filter((t) => !t.ok).map((t) => `${t.backend}: ${t.why}`);
      const reason =
        failures.length === 0
          ? `${name}${preference === 'auto' ? '' : ' as requested'}: ${attempt.why}`
          : `${failures.join('; ')} → using ${name}`;
      return { backend: name, reason, tried };
    }
  }
  throw new Error(`no tfjs backend could be started: ${tried.map((t) => `${t.backend}: ${t.why}`).join('; ')}`);
}

/**
 * On webgpu: resolves with why once the GPU device is lost (sleep, a driver reset, destroy()).
 * tfjs does not watch for this itself; after a loss its webgpu backend can no longer compute.
 */
export function webgpuDeviceLost(): Promise<string> | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ reason?: string; message?: string }> } })
    .device;
  return device?.lost?.then((info) => info.message || `reason: ${info.reason ?? 'unknown'}`);
}
