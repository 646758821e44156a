/** The header's backend status in plain words, with what was tried (and measured) as details. Pure. */
import type { BackendSelection } from '../worker/protocol';

export interface BackendFacts {
  backend: string;
  reason: string;
  /** Every backend tried, in order, as `name: ok` or `name: why not`. */
  tried: string[];
  /** How `auto` chose: measured speeds, a cached measurement, or the only candidate. */
  selection?: BackendSelection;
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

const capitalised = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

/** Whether "Measure again" means anything: `auto` timed backends (now or earlier) to choose this one. */
export const wasMeasured = (b: BackendFacts): boolean =>
  b.selection?.how === 'measured' || b.selection?.how === 'cached';

export function backendSummary(b: BackendFacts): { headline: string; details: string[] } {
  const where = WHERE[b.backend] ?? `training on ${b.backend}`;
  const tried = b.tried.length ? b.tried.map((t) => t.replace(/:\s*ok$/, ': started')) : [b.reason];
  if (/device was lost/.test(b.reason)) return { headline: `The GPU device was lost — ${where}`, details: [b.reason] };
  const s = b.selection;
  if (s && wasMeasured(b)) {
    const when = s.how === 'cached' ? `earlier on this device (${s.measuredAt?.slice(0, 10)}); kept for it` : 'now';
    const skipped = s.timings.filter((t) => t.skipped).map((t) => `${t.backend}: ${t.skipped}`);
    return {
      headline: `${capitalised(where)} — ${s.summary.replace(/ \(measured .*\)$/, '')}`,
      details: [
        `Measured ${when}: a few training steps of this run's network on each backend, after a warm-up step`,
        ...skipped,
      ],
    };
  }
  const problem = b.backend === 'webgpu' ? null : webgpuProblem(b.tried);
  const chosen = /as requested/.test(b.reason);
  const headline = problem ? `${problem} — ${where}` : `${capitalised(where)}${chosen ? ', as chosen' : ''}`;
  return { headline, details: s ? [capitalised(s.summary), ...tried] : tried };
}
