/** The header's backend status in plain words, with what was tried as details. Pure. */

export interface BackendFacts {
  backend: string;
  reason: string;
  /** Every backend tried, in order, as `name: ok` or `name: why not`. */
  tried: string[];
}

const WHERE: Record<string, string> = {
  webgpu: 'training on the graphics card (WebGPU)',
  webgl: 'training on the graphics card (WebGL)',
  wasm: 'training on the CPU (wasm, SIMD)',
  cpu: 'training on the CPU in plain JavaScript (slow)',
};

/** Why WebGPU was not used, in a few words, from its line in `tried`; null when it was not tried or it worked. */
function webgpuProblem(tried: readonly string[]): string | null {
  const line = tried.find((t) => t.startsWith('webgpu:'));
  if (!line || /:\s*ok$/.test(line)) return null;
  if (/fallback|swiftshader|software|llvmpipe/i.test(line)) return 'Only a software WebGPU here';
  if (/no adapter|not available|navigator\.gpu|requestAdapter/i.test(line)) return 'No WebGPU GPU here';
  return 'WebGPU did not start';
}

export function backendSummary(b: BackendFacts): { headline: string; details: string[] } {
  const where = WHERE[b.backend] ?? `training on ${b.backend}`;
  const problem = b.backend === 'webgpu' ? null : webgpuProblem(b.tried);
  const chosen = /as requested/.test(b.reason);
  const headline = problem
    ? `${problem} — ${where}`
    : `${where.charAt(0).toUpperCase()}${where.slice(1)}${chosen ? ', as chosen' : ''}`;
  const details = b.tried.length ? b.tried.map((t) => t.replace(/:\s*ok$/, ': started')) : [b.reason];
  return { headline, details };
}
