/**
 * Weights of an offspring (ALGORITHM.md §2 "Weights of offspring").
 * inherit: a surviving synapse starts from the α_s-weighted mean over the parents that HAVE it,
 *   renormalised over those parents, so a synapse of one parent is not halved. A surviving
 *   cluster's bias is likewise the mean over the parents where the cluster is alive. The
 *   unevolved output layer is the α_s-weighted mean of the parents' output layers.
 * reinit: fresh Glorot weights on the surviving mask, zero biases.
 * Either way a dead synapse is exactly 0 and a filter left without synapses has bias 0.
 */
import { synapsesPerFilter, type Genome, type LayerGenes, type OutputGenes } from './genome';
import { denseGlorotLimit, fillUniform, glorotLimit } from './init';
import type { Rng } from './rng';
import type { Inheritance } from './settings';

/**
 * Weighted mean over the parents selected by `has`; if all of them weigh 0, the plain mean
 * (that only happens for a cluster kept by chance whose only holders were given weight 0).
 */
function blend(values: (p: number) => number, has: (p: number) => boolean, alpha: readonly number[]): number {
  let sum = 0;
  let weight = 0;
  let plainSum = 0;
  let holders = 0;
  for (let p = 0; p < alpha.length; p++) {
    if (!has(p)) continue;
    const v = values(p);
    sum += alpha[p] * v;
    weight += alpha[p];
    plainSum += v;
    holders++;
  }
  if (weight > 0) return sum / weight;
  return holders ? plainSum / holders : 0;
}

function clusterAliveIn(layer: LayerGenes, start: number, end: number): boolean {
  for (let j = start; j < end; j++) if (layer.mask[j]) return true;
  return false;
}

function inheritLayer(parents: readonly LayerGenes[], mask: Uint8Array, alpha: readonly number[]): LayerGenes {
  const spec = parents[0].spec;
  const per = synapsesPerFilter(spec);
  const weights = new Float32Array(mask.length);
  const bias = new Float32Array(spec.filters);
  for (let f = 0; f < spec.filters; f++) {
    const start = f * per;
    const end = start + per;
    let survivors = 0;
    for (let j = start; j < end; j++) {
      if (!mask[j]) continue;
      survivors++;
      // Inlined form of blend(): this loop runs for every surviving synapse.
      let sum = 0;
      let weight = 0;
      let plainSum = 0;
      let holders = 0;
      for (let p = 0; p < parents.length; p++) {
        if (!parents[p].mask[j]) continue;
        const w = parents[p].weights[j];
        sum += alpha[p] * w;
        weight += alpha[p];
        plainSum += w;
        holders++;
      }
      weights[j] = weight > 0 ? sum / weight : holders ? plainSum / holders : 0;
    }
    if (survivors)
      bias[f] = blend(
        (p) => parents[p].bias[f],
        (p) => clusterAliveIn(parents[p], start, end),
        alpha,
      );
  }
  return { spec, weights, mask, bias };
}

function reinitLayer(template: LayerGenes, mask: Uint8Array, rng: Rng): LayerGenes {
  const weights = new Float32Array(mask.length);
  fillUniform(weights, glorotLimit(template.spec), rng, mask);
  return { spec: template.spec, weights, mask, bias: new Float32Array(template.spec.filters) };
}

function inheritOutput(parents: readonly OutputGenes[], alpha: readonly number[]): OutputGenes {
  const first = parents[0];
  const weights = new Float32Array(first.weights.length);
  const bias = new Float32Array(first.bias.length);
  const all = () => true;
  for (let i = 0; i < weights.length; i++) weights[i] = blend((p) => parents[p].weights[i], all, alpha);
  for (let i = 0; i < bias.length; i++) bias[i] = blend((p) => parents[p].bias[i], all, alpha);
  return { inUnits: first.inUnits, outUnits: first.outUnits, weights, bias };
}

export function childGenome(
  parents: readonly Genome[],
  masks: readonly Uint8Array[],
  synapseWeights: readonly number[],
  inheritance: Inheritance,
  initRng?: Rng,
): Genome {
  if (inheritance === 'inherit') {
    return {
      layers: parents[0].layers.map((_, l) =>
        inheritLayer(
          parents.map((p) => p.layers[l]),
          masks[l],
          synapseWeights,
        ),
      ),
      output: inheritOutput(
        parents.map((p) => p.output),
        synapseWeights,
      ),
    };
  }
  if (!initRng) throw new Error("inheritance 'reinit' needs an initRng for the fresh weights");
  const layers = parents[0].layers.map((template, l) => reinitLayer(template, masks[l], initRng));
  const { inUnits, outUnits } = parents[0].output;
  const output: OutputGenes = {
    inUnits,
    outUnits,
    weights: new Float32Array(inUnits * outUnits),
    bias: new Float32Array(outUnits),
  };
  fillUniform(output.weights, denseGlorotLimit(inUnits, outUnits), initRng);
  return { layers, output };
}
