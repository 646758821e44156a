import { describe, expect, it } from 'vitest';
import { glorotGenome, randomlyMasked } from '../testing/genomes';
import { packGeneration, packGenome, unpackGeneration, unpackGenome } from './genome-history';
import { serialiseGenome } from './serialise';

describe('every generation’s networks, packed', () => {
  it('round-trips bit-exactly and takes a fraction of a checkpoint’s room once sparse', () => {
    const dense = glorotGenome(1, 1);
    const sparse = randomlyMasked(glorotGenome(3, 2), 0.05, 3);
    for (const g of [dense, sparse]) {
      const back = unpackGenome(JSON.parse(JSON.stringify(packGenome(g))), 'test');
      back.layers.forEach((l, i) => {
        expect(l.spec).toEqual(g.layers[i].spec);
        expect(Array.from(l.mask)).toEqual(Array.from(g.layers[i].mask));
        expect(Array.from(l.weights)).toEqual(Array.from(g.layers[i].weights, (w, k) => (g.layers[i].mask[k] ? w : 0)));
        expect(Array.from(l.bias)).toEqual(Array.from(g.layers[i].bias));
      });
      expect(Array.from(back.output.weights)).toEqual(Array.from(g.output.weights));
    }
    const size = (x: unknown) => JSON.stringify(x).length;
    expect(size(packGenome(sparse))).toBeLessThan(size(serialiseGenome(sparse)) / 5);
  });

  it('names the generation, and refuses a damaged or foreign document', () => {
    const g = glorotGenome(1, 4);
    const doc = JSON.parse(JSON.stringify(packGeneration(7, [g, g])));
    expect(unpackGeneration(doc, 'f').generation).toBe(7);
    expect(unpackGeneration(doc, 'f').population).toHaveLength(2);
    expect(() => unpackGeneration({ version: 2 }, 'gen-7.json')).toThrow(/gen-7\.json is not a generation's networks/);
    doc.population[0].layers[1].live = doc.population[0].layers[1].live.slice(0, 40);
    expect(() => unpackGeneration(doc, 'gen-7.json')).toThrow(/gen-7\.json is damaged: layer conv2 has fewer weights/);
  });
});
