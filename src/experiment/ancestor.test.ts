/** The ancestors the lab ships say which dataset (and images and classes) they fit, and they do. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lenetSpecsFor } from '../evolution';
import type { AncestorMeta } from './ancestor';
import { knownDataShape } from './datasets';
import { deserialiseCheckpoint } from './serialise';

const DIR = fileURLToPath(new URL('../../public/ancestors', import.meta.url));

describe('the shipped ancestors', () => {
  const metas = readdirSync(DIR).filter((f) => f.endsWith('.meta.json'));

  it('each have a description naming their dataset, images and classes, which the checkpoint fits', () => {
    expect(metas.sort()).toEqual(['cifar10.meta.json', 'mnist.meta.json']);
    for (const file of metas) {
      const meta = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as AncestorMeta;
      expect(file).toBe(`${meta.dataset}.meta.json`);
      const shape = knownDataShape(meta.dataset)!;
      expect(meta.input).toEqual({ height: shape.height, width: shape.width, channels: shape.channels });
      expect(meta.classNames).toEqual(shape.classNames);
      const checkpoint = deserialiseCheckpoint(
        JSON.parse(readFileSync(path.join(DIR, `${meta.dataset}.json`), 'utf8')),
      );
      expect(checkpoint.config.dataset).toBe(meta.dataset);
      expect(checkpoint.population[0].layers.map((l) => l.spec)).toEqual(lenetSpecsFor(meta.input!));
      expect(checkpoint.population[0].output.outUnits).toBe(meta.classNames!.length);
    }
  });
});
