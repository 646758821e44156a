/**
 * Glorot-uniform initialisation as tfjs' layer defaults do it: U(−L, L), L = √(6 / (fan_in + fan_out)),
 * zero biases. Fans follow the tfjs layer that realises each genome layer: a conv kernel
 * [kh, kw, in, out] has fan_in = in·kh·kw and fan_out = out·kh·kw; a dense kernel (fc1 reads the
 * flattened 4×4×64 map) has fan_in = in·kh·kw and fan_out = units.
 */
import { emptyGenome, synapsesPerFilter, type Genome, type LayerSpec } from './genome';
import type { Rng } from './rng';

export function glorotLimit(spec: LayerSpec): number {
  const fanIn = synapsesPerFilter(spec);
  const fanOut = spec.kind === 'conv' ? spec.filters * spec.kernelH * spec.kernelW : spec.filters;
  return Math.sqrt(6 / (fanIn + fanOut));
}

export function denseGlorotLimit(inUnits: number, outUnits: number): number {
  return Math.sqrt(6 / (inUnits + outUnits));
}

/**
 * Fills `weights` with U(−limit, limit), zero where the mask (if any) is 0. A draw is made for
 * every position, masked or not, so the values at surviving positions do not depend on the mask.
 */
export function fillUniform(weights: Float32Array, limit: number, rng: Rng, mask?: Uint8Array): void {
  for (let j = 0; j < weights.length; j++) {
    const w = (2 * rng.next() - 1) * limit;
    weights[j] = mask && !mask[j] ? 0 : w;
  }
}

export function initialiseGenome(specs: readonly LayerSpec[], outUnits: number, rng: Rng): Genome {
  if (specs.length === 0) throw new Error('initialiseGenome needs at least one layer spec');
  if (!Number.isInteger(outUnits) || outUnits < 1)
    throw new Error(`initialiseGenome: outUnits must be a whole number ≥ 1 (got ${outUnits})`);
  const genome = emptyGenome(specs, outUnits);
  for (const layer of genome.layers) fillUniform(layer.weights, glorotLimit(layer.spec), rng);
  const o = genome.output;
  fillUniform(o.weights, denseGlorotLimit(o.inUnits, o.outUnits), rng);
  return genome;
}
