/**
 * Every generation's networks, kept so that any of them can be exported later (a checkpoint
 * keeps only the last generation). Packed: a mask is stored as bits and only the live weights
 * are stored, so an evolved network takes a few kilobytes where its checkpoint form takes as
 * much as the ancestor (≈ 1 MB). The CLI writes OUTDIR/genomes/gen-<N>.json; the lab keeps the
 * same documents in IndexedDB.
 */
import type { Genome, LayerSpec } from '../evolution';
import { base64ToBytes, bytesToBase64 } from './serialise';

export interface PackedLayer {
  spec: LayerSpec;
  /** One bit per synapse, most significant bit first, base64. */
  mask: string;
  /** The live synapses' weights in order, float32 base64. */
  live: string;
  bias: string;
}

export interface PackedGenome {
  layers: PackedLayer[];
  output: { inUnits: number; outUnits: number; weights: string; bias: string };
}

/** One generation's networks, in the order of its records' `individual`. */
export interface GenerationGenomes {
  version: 1;
  generation: number;
  population: PackedGenome[];
}

const f32 = (a: Float32Array) => bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
const toF32 = (s: string) => {
  const b = base64ToBytes(s);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

export function packGenome(g: Genome): PackedGenome {
  return {
    layers: g.layers.map((l) => {
      const bits = new Uint8Array(Math.ceil(l.mask.length / 8));
      const live: number[] = [];
      l.mask.forEach((m, i) => {
        if (!m) return;
        bits[i >> 3] |= 0x80 >> (i & 7);
        live.push(l.weights[i]);
      });
      return { spec: l.spec, mask: bytesToBase64(bits), live: f32(Float32Array.from(live)), bias: f32(l.bias) };
    }),
    output: {
      inUnits: g.output.inUnits,
      outUnits: g.output.outUnits,
      weights: f32(g.output.weights),
      bias: f32(g.output.bias),
    },
  };
}

export function unpackGenome(p: PackedGenome, where: string): Genome {
  const damaged = (what: string) => new Error(`${where} is damaged: ${what}`);
  return {
    layers: p.layers.map((l) => {
      const n = l.spec.filters * l.spec.inChannels * l.spec.kernelH * l.spec.kernelW;
      const bits = base64ToBytes(l.mask);
      const live = toF32(l.live);
      const bias = toF32(l.bias);
      if (bits.length !== Math.ceil(n / 8) || bias.length !== l.spec.filters)
        throw damaged(`layer ${l.spec.name} has ${bits.length} mask bytes and ${bias.length} biases`);
      const mask = new Uint8Array(n);
      const weights = new Float32Array(n);
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (!(bits[i >> 3] & (0x80 >> (i & 7)))) continue;
        if (k >= live.length) throw damaged(`layer ${l.spec.name} has fewer weights than live synapses`);
        mask[i] = 1;
        weights[i] = live[k++];
      }
      if (k !== live.length) throw damaged(`layer ${l.spec.name} has more weights than live synapses`);
      return { spec: l.spec, weights, mask, bias };
    }),
    output: {
      inUnits: p.output.inUnits,
      outUnits: p.output.outUnits,
      weights: toF32(p.output.weights),
      bias: toF32(p.output.bias),
    },
  };
}

export const packGeneration = (generation: number, population: readonly Genome[]): GenerationGenomes => ({
  version: 1,
  generation,
  population: population.map(packGenome),
});

export function unpackGeneration(json: unknown, where: string): { generation: number; population: Genome[] } {
  const doc = json as GenerationGenomes;
  if (!doc || typeof doc !== 'object' || doc.version !== 1 || !Array.isArray(doc.population))
    throw new Error(`${where} is not a generation's networks as EvoLab writes them (version 1 with a population)`);
  return { generation: doc.generation, population: doc.population.map((g) => unpackGenome(g, where)) };
}

/** The CLI's file for generation `generation` of a run in OUTDIR (relative to OUTDIR). */
export const generationFile = (generation: number) => `genomes/gen-${generation}.json`;
