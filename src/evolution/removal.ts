/**
 * What one synthesis (or pruning) step removed, split the way the paper's efficiencies reward it:
 * the cluster efficiency counts kernels, so a synapse removed with its whole kernel (structured)
 * shrinks it, one removed from a kernel that lives on (a single synapse) does not. Counted against
 * the parents: a synapse is removed when some parent has it and the child does not; a kernel or a
 * filter when some parent has a live synapse in it and the child has none.
 */
import { kernelSize, synapsesPerFilter, type Genome } from './genome';

export interface RemovalCounts {
  /** Synapses alive in some parent, dead in the child. */
  synapses: number;
  /** Of those, the ones whose kernel died whole (the rest were removed singly). */
  inRemovedKernels: number;
  /** Of those, the ones whose filter died whole. */
  inRemovedFilters: number;
  /** Kernels alive in some parent, dead in the child. */
  kernels: number;
  /** Filters alive in some parent, dead in the child. */
  filters: number;
}

export interface RemovalStats extends RemovalCounts {
  perLayer: (RemovalCounts & { name: string })[];
}

export function removalStats(parents: readonly Genome[], masks: readonly Uint8Array[]): RemovalStats {
  const perLayer = masks.map((child, l) => {
    const spec = parents[0].layers[l].spec;
    const parentMasks = parents.map((p) => p.layers[l].mask);
    const ks = kernelSize(spec);
    const per = synapsesPerFilter(spec);
    const counts: RemovalCounts = { synapses: 0, inRemovedKernels: 0, inRemovedFilters: 0, kernels: 0, filters: 0 };
    for (let f = 0; f < spec.filters; f++) {
      const filterStart = f * per;
      let filterInParents = false;
      let filterInChild = false;
      for (let j = filterStart; j < filterStart + per; j++) if (child[j]) filterInChild = true;
      for (let c = 0; c < spec.inChannels; c++) {
        const start = filterStart + c * ks;
        let kernelInParents = false;
        let kernelInChild = false;
        let removed = 0;
        for (let j = start; j < start + ks; j++) {
          const inParents = parentMasks.some((m) => m[j] === 1);
          if (inParents) kernelInParents = true;
          if (child[j]) kernelInChild = true;
          else if (inParents) removed++;
        }
        counts.synapses += removed;
        if (!kernelInChild) counts.inRemovedKernels += removed;
        if (!filterInChild) counts.inRemovedFilters += removed;
        if (kernelInParents && !kernelInChild) counts.kernels++;
        if (kernelInParents) filterInParents = true;
      }
      if (filterInParents && !filterInChild) counts.filters++;
    }
    return { name: spec.name, ...counts };
  });
  const sum = (key: keyof RemovalCounts) => perLayer.reduce((a, l) => a + l[key], 0);
  return {
    synapses: sum('synapses'),
    inRemovedKernels: sum('inRemovedKernels'),
    inRemovedFilters: sum('inRemovedFilters'),
    kernels: sum('kernels'),
    filters: sum('filters'),
    perLayer,
  };
}
