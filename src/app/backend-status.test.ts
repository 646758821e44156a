import { describe, expect, it } from 'vitest';
import { backendSummary, wasMeasured } from './backend-status';

describe('the backend status in plain words', () => {
  it('no GPU: WebGPU has no adapter, wasm runs', () => {
    const s = backendSummary({
      backend: 'wasm',
      reason: 'webgpu: WebGPU has no adapter (requestAdapter() returned null) → using wasm',
      tried: ['webgpu: WebGPU has no adapter (requestAdapter() returned null)', 'wasm: ok'],
    });
    expect(s.headline).toBe('No WebGPU GPU here — training on the CPU (wasm, SIMD)');
    expect(s.details).toEqual(['webgpu: WebGPU has no adapter (requestAdapter() returned null)', 'wasm: started']);
  });

  it('a software WebGPU adapter, a chosen backend, a GPU', () => {
    expect(
      backendSummary({
        backend: 'wasm',
        reason: '…',
        tried: ['webgpu: WebGPU adapter is a CPU fallback (swiftshader)', 'wasm: ok'],
      }).headline,
    ).toBe('Only a software WebGPU here — training on the CPU (wasm, SIMD)');
    expect(
      backendSummary({
        backend: 'wasm',
        reason: 'wasm as requested: WebAssembly with SIMD kernels',
        tried: ['wasm: ok'],
      }).headline,
    ).toBe('Training on the CPU (wasm, SIMD), as chosen');
    expect(
      backendSummary({ backend: 'webgpu', reason: 'webgpu: WebGPU adapter is a GPU (nvidia)', tried: ['webgpu: ok'] })
        .headline,
    ).toBe('Training on the graphics card (WebGPU)');
    expect(backendSummary({ backend: 'cpu', reason: 'x', tried: [] })).toEqual({
      headline: 'Training on the CPU in plain JavaScript (slow)',
      details: ['x'],
    });
  });

  it('auto measured: the numbers in the headline, how it was measured in the details', () => {
    const measured = {
      backend: 'webgpu',
      reason: 'fastest measured: WebGPU 3,100 img/s vs wasm 2,400 img/s → WebGPU',
      tried: ['webgpu: ok', 'wasm: ok'],
      selection: {
        how: 'measured' as const,
        chosen: 'webgpu',
        timings: [
          { backend: 'webgpu', imagesPerSecond: 3100 },
          { backend: 'wasm', imagesPerSecond: 2400 },
          { backend: 'cpu', skipped: 'not measured: slow' },
        ],
        summary: 'WebGPU 3,100 img/s vs wasm 2,400 img/s → WebGPU',
      },
    };
    expect(backendSummary(measured)).toEqual({
      headline: 'Training on the graphics card (WebGPU) — WebGPU 3,100 img/s vs wasm 2,400 img/s → WebGPU',
      details: [
        "Measured now: a few training steps of this run's network on each backend, after a warm-up step",
        'cpu: not measured: slow',
      ],
    });
    expect(wasMeasured(measured)).toBe(true);
    const cached = {
      ...measured,
      selection: {
        ...measured.selection,
        how: 'cached' as const,
        measuredAt: '2026-12-01T08:00:00.000Z',
        summary: 'WebGPU 3,100 img/s vs wasm 2,400 img/s → WebGPU (measured 2026-12-01 on this device)',
      },
    };
    const s = backendSummary(cached);
    expect(s.headline).toBe('Training on the graphics card (WebGPU) — WebGPU 3,100 img/s vs wasm 2,400 img/s → WebGPU');
    expect(s.details[0]).toMatch(/^Measured earlier on this device \(2026-12-01\)/);
  });

  it('nothing to measure: says so; a lost GPU device: says so first', () => {
    const only = {
      backend: 'wasm',
      reason: 'only wasm can run here…',
      tried: ['webgpu: WebGPU adapter is a CPU fallback (swiftshader)', 'wasm: ok'],
      selection: {
        how: 'only-candidate' as const,
        chosen: 'wasm',
        timings: [],
        summary: 'only wasm can run here, so there is nothing to measure (WebGPU: a CPU fallback)',
      },
    };
    expect(backendSummary(only)).toEqual({
      headline: 'Only a software WebGPU here — training on the CPU (wasm, SIMD)',
      details: [
        'Only wasm can run here, so there is nothing to measure (WebGPU: a CPU fallback)',
        'webgpu: WebGPU adapter is a CPU fallback (swiftshader)',
        'wasm: started',
      ],
    });
    expect(wasMeasured(only)).toBe(false);
    const reason =
      "the WebGPU device was lost (Device was destroyed.); continued on wasm from generation 2's checkpoint";
    expect(backendSummary({ backend: 'wasm', reason, tried: ['wasm: ok'] })).toEqual({
      headline: 'The GPU device was lost — training on the CPU (wasm, SIMD)',
      details: [reason],
    });
  });
});
