/** Shape checks, so that mismatched or malformed genomes fail loudly instead of mating silently. */
import { lenetSpecs, synapseCount, type Genome, type LayerGenes, type LayerSpec } from './genome';

const describeSpec = (s: LayerSpec): string => `${s.name} ${s.filters}×${s.inChannels}×${s.kernelH}×${s.kernelW}`;

export function sameLayerShape(a: LayerSpec, b: LayerSpec): boolean {
  return a.filters === b.filters && a.inChannels === b.inChannels && a.kernelH === b.kernelH && a.kernelW === b.kernelW;
}

export function assertLayerConsistent(layer: LayerGenes, label: string): void {
  const s = layer.spec;
  for (const [key, v] of [
    ['filters', s.filters],
    ['inChannels', s.inChannels],
    ['kernelH', s.kernelH],
    ['kernelW', s.kernelW],
  ] as const)
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`${label} layer ${s.name}: ${key} must be a whole number ≥ 1 (got ${v})`);
  const n = synapseCount(s);
  if (layer.weights.length !== n)
    throw new Error(`${label} layer ${s.name}: ${layer.weights.length} weights, spec needs ${n}`);
  if (layer.mask.length !== n)
    throw new Error(`${label} layer ${s.name}: mask has ${layer.mask.length} entries, spec needs ${n}`);
  if (layer.bias.length !== s.filters)
    throw new Error(`${label} layer ${s.name}: ${layer.bias.length} biases, spec needs ${s.filters}`);
}

export function assertGenomeConsistent(g: Genome, label = 'genome'): void {
  if (g.layers.length === 0) throw new Error(`${label} has no evolved layers`);
  g.layers.forEach((l) => assertLayerConsistent(l, label));
  const last = g.layers[g.layers.length - 1].spec;
  const o = g.output;
  if (o.inUnits !== last.filters)
    throw new Error(`${label} output layer takes ${o.inUnits} inputs but ${last.name} has ${last.filters} filters`);
  if (o.weights.length !== o.inUnits * o.outUnits)
    throw new Error(`${label} output layer: ${o.weights.length} weights, needs ${o.inUnits}×${o.outUnits}`);
  if (o.bias.length !== o.outUnits)
    throw new Error(`${label} output layer: ${o.bias.length} biases, needs ${o.outUnits}`);
}

/** Parents must share one architecture: same layers, same shapes, same output size. */
export function assertSameArchitecture(parents: readonly Genome[]): void {
  if (parents.length === 0) throw new Error('Synthesis needs at least one parent');
  parents.forEach((p, i) => assertGenomeConsistent(p, `parent ${i}`));
  const first = parents[0];
  for (let i = 1; i < parents.length; i++) {
    const p = parents[i];
    if (p.layers.length !== first.layers.length)
      throw new Error(
        `Parents differ in depth: parent 0 has ${first.layers.length} evolved layers, parent ${i} has ${p.layers.length}`,
      );
    p.layers.forEach((l, k) => {
      const a = first.layers[k].spec;
      if (!sameLayerShape(a, l.spec))
        throw new Error(
          `Parents differ in layer ${k}: parent 0 has ${describeSpec(a)}, parent ${i} has ${describeSpec(l.spec)}`,
        );
    });
    if (p.output.outUnits !== first.output.outUnits)
      throw new Error(`Parents differ in output units: ${first.output.outUnits} vs ${p.output.outUnits} (parent ${i})`);
  }
}

/** An image's shape as the network takes it. */
export interface InputSize {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * The side of the map fc1 reads: the network halves the image three times (stride-2 pooling
 * with 'same' padding, ⌈n/2⌉ each), so 28 → 4 and 32 → 4, as the paper's two datasets.
 */
export const pooledSide = (side: number): number => Math.ceil(Math.ceil(Math.ceil(side / 2) / 2) / 2);

/** Smallest and largest image side the network takes: below, pooling leaves no map; above, fc1 and memory grow too large. */
export const MIN_INPUT_SIDE = 8;
export const MAX_INPUT_SIDE = 128;

/** Why the network cannot take images of this shape, or null when it can. */
export function inputShapeProblem(input: InputSize): string | null {
  const { height, width, channels } = input;
  const shape = `${height}×${width}×${channels}`;
  if (![height, width, channels].every((n) => Number.isInteger(n) && n >= 1)) return `images of ${shape} pixels`;
  if (channels !== 1 && channels !== 3)
    return `images have ${channels} channels; the network takes 1 (grey) or 3 (RGB)`;
  if (Math.min(height, width) < MIN_INPUT_SIDE)
    return `images are ${height}×${width} pixels; the network halves them three times, so each side must be at least ${MIN_INPUT_SIDE}`;
  if (Math.max(height, width) > MAX_INPUT_SIDE)
    return `images are ${height}×${width} pixels; the network takes at most ${MAX_INPUT_SIDE}×${MAX_INPUT_SIDE} (its first dense layer and the memory per image grow with the area): resize them`;
  return null;
}

/**
 * The paper's ancestor (lenetSpecs) for images of any shape the network takes: conv1 reads the
 * image's channels and fc1 the pooled map (4×4 for MNIST's 28×28 and CIFAR-10's 32×32).
 * Throws with inputShapeProblem's message otherwise.
 */
export function lenetSpecsFor(input: InputSize): LayerSpec[] {
  const problem = inputShapeProblem(input);
  if (problem) throw new Error(`The network cannot take these images: ${problem}`);
  return lenetSpecs(input.channels).map((s) =>
    s.kind === 'dense' ? { ...s, kernelH: pooledSide(input.height), kernelW: pooledSide(input.width) } : s,
  );
}
