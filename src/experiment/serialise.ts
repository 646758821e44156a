/**
 * JSON-safe forms of genomes and checkpoints: typed arrays become base64, so a checkpoint is
 * one JSON document that Node writes to disk and the browser keeps in IndexedDB.
 */
import type { Genome, LayerSpec } from '../evolution';
import { ARTEFACTS, parseCheckpoint } from './artefacts';
import type { Checkpoint } from './records';

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000; // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const f32 = (a: Float32Array) => bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
const toF32 = (s: string) => {
  const b = base64ToBytes(s);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

export interface SerialisedGenome {
  layers: { spec: LayerSpec; weights: string; mask: string; bias: string }[];
  output: { inUnits: number; outUnits: number; weights: string; bias: string };
}

export function serialiseGenome(g: Genome): SerialisedGenome {
  return {
    layers: g.layers.map((l) => ({
      spec: l.spec,
      weights: f32(l.weights),
      mask: bytesToBase64(l.mask),
      bias: f32(l.bias),
    })),
    output: {
      inUnits: g.output.inUnits,
      outUnits: g.output.outUnits,
      weights: f32(g.output.weights),
      bias: f32(g.output.bias),
    },
  };
}

export function deserialiseGenome(s: SerialisedGenome): Genome {
  const genome: Genome = {
    layers: s.layers.map((l) => ({
      spec: l.spec,
      weights: toF32(l.weights),
      mask: base64ToBytes(l.mask),
      bias: toF32(l.bias),
    })),
    output: {
      inUnits: s.output.inUnits,
      outUnits: s.output.outUnits,
      weights: toF32(s.output.weights),
      bias: toF32(s.output.bias),
    },
  };
  for (const l of genome.layers) {
    const n = l.spec.filters * l.spec.inChannels * l.spec.kernelH * l.spec.kernelW;
    if (l.weights.length !== n || l.mask.length !== n || l.bias.length !== l.spec.filters)
      throw new Error(
        `checkpoint is damaged: layer ${l.spec.name} has ${l.weights.length} weights and ${l.mask.length} mask bits, expected ${n}`,
      );
  }
  return genome;
}

export type SerialisedCheckpoint = Omit<Checkpoint, 'population'> & {
  format: typeof ARTEFACTS.checkpoint.format;
  population: SerialisedGenome[];
};

/** A checkpoint as a file holds it: format name first, typed arrays as base64. */
export function serialiseCheckpoint(c: Checkpoint): SerialisedCheckpoint {
  return { format: ARTEFACTS.checkpoint.format, ...c, population: c.population.map(serialiseGenome) };
}

/** Reads a checkpoint file's JSON through the artefact gate (artefacts.ts), naming it `name` in errors. */
export function deserialiseCheckpoint(json: unknown, name = 'the checkpoint'): Checkpoint {
  return parseCheckpoint(json, { name });
}
