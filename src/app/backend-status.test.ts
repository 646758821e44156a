import { describe, expect, it } from 'vitest';
import { backendSummary } from './backend-status';

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
});
