import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NetworkRecord } from '../experiment/records';
import { firstDropGeneration, runCurve } from '../experiment/summary';
import { parseReproduced, pickExperiment, experimentsFor } from './reproduced';
import { computeVerdict, DROP_POINTS, type VerdictRunInput } from './verdict';

/** One run: `perGeneration` networks a generation, accuracy and efficiency given per generation. */
function records(perGeneration: number, accuracy: number[], efficiency: number[], retention = 0.7): NetworkRecord[] {
  return accuracy.flatMap(
    (acc, i) =>
      Array.from({ length: i === 0 ? 1 : perGeneration }, (_, individual) => ({
        generation: i + 1,
        individual,
        parents: i === 0 ? [] : [0, 1].slice(0, perGeneration),
        // Siblings differ a little; the generation mean is what the verdict reads.
        testAccuracy: acc + (individual ? -0.002 : 0.002) * (perGeneration - 1),
        synapticEfficiency: efficiency[i],
        clusterEfficiency: Math.sqrt(efficiency[i]),
        synapses: 143_136 / efficiency[i],
        kernels: 7_200 / Math.sqrt(efficiency[i]),
        synthesis: i === 0 ? null : { retention },
      })) as unknown as NetworkRecord[],
  );
}

const run = (id: string, mode: string, rs: NetworkRecord[], active = false): VerdictRunInput => ({
  id,
  label: mode,
  mode,
  records: rs,
  active,
});

const repro = parseReproduced(
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../public/reproduced.json'), 'utf8')),
);
const mnistRepro = pickExperiment(experimentsFor(repro, 'mnist'), null);

// Asexual keeps its accuracy longer; sexual drops 3 points two generations earlier, less compact there.
const asexual = records(1, [0.97, 0.968, 0.965, 0.96, 0.95, 0.935], [1, 1.4, 2, 2.9, 4.1, 5.9]);
const sexual = records(2, [0.97, 0.965, 0.955, 0.935, 0.91], [1, 1.45, 2.05, 2.95, 4.2], 0.69);

describe('the verdict', () => {
  it('reads the first 3-point drop and the equal generation from the population means', () => {
    const v = computeVerdict([run('a', 'asexual', asexual), run('s', 'sexual', sexual)], 'mnist', mnistRepro);
    expect(v.equalGeneration).toBe(5);
    const [a, s] = v.runs;
    const expectedDrop = (rs: NetworkRecord[]) => firstDropGeneration(runCurve(rs), DROP_POINTS)!;
    expect(a.drop!.generation).toBe(expectedDrop(asexual).generation);
    expect(a.drop!.generation).toBe(6);
    expect(s.drop!.generation).toBe(4);
    expect(s.drop!.accuracy).toBeCloseTo(0.935, 12);
    expect(s.drop!.synapticEfficiency).toBe(2.95);
    expect(s.atEqual!.generation).toBe(5);
    expect(s.retention).toBeCloseTo(0.69, 12);
    expect(v.pairs[0].atDrop.lead).toBe('reference');
    expect(v.pairs[0].atDrop.ratio).toBeCloseTo(2.95 / 5.9, 12);
    expect(v.headline).toBe(
      'Sexual did not compact faster than asexual: asexual was more compact at the first 3-point drop in accuracy.',
    );
    expect(v.pairs[0].atDrop.text).toContain('sexual first lost 3 points of accuracy at generation 4');
    expect(v.paper).toContain('258× fewer synapses');
    expect(v.paper).toContain('139× fewer synapses');
    // Our reproduction over 3 seeds: its first drops, as the report tables give them.
    const points = (mode: string) =>
      mnistRepro!.modes[mode].points.map((p) => ({ generation: p.generation, accuracy: p.accuracy.mean }));
    expect(v.reproduced!.text).toContain(
      `asexual first lost 3 points of accuracy at generation ${firstDropGeneration(points('asexual'), 3)!.generation}`,
    );
    expect(v.reproduced!.text).toContain('means of 3 seeds');
    expect(v.reproduced!.lead).not.toBe('other');
    expect(v.meaning).toContain('did not do what the paper reports');
    expect(v.meaning).toContain('It agrees with our reproduction');
    expect(v.meaning).toContain(
      'Both kept about the same share of their parents’ synapses each generation (asexual 0.70, sexual 0.69)',
    );
    expect(v.partial).toBe(false);
  });

  it('changes with the runs: a sexual run far more compact at its drop leads', () => {
    const compact = records(2, [0.97, 0.965, 0.955, 0.935], [1, 3, 9, 27], 0.45);
    const v = computeVerdict([run('a', 'asexual', asexual), run('s', 'sexual', compact, true)], 'mnist', mnistRepro);
    expect(v.pairs[0].atDrop.lead).toBe('other');
    expect(v.headline).toBe('Sexual compacted faster than asexual so far, at the first 3-point drop in accuracy.');
    expect(v.meaning).toContain('Our reproduction over seeds found otherwise');
    expect(v.meaning).toContain('Sexual kept 0.45 of its parents’ synapses each generation, asexual 0.70.');
    expect(v.partial).toBe(true);
  });

  it('is undecided before any drop, and then compares at equal generations', () => {
    const a = records(1, [0.97, 0.97, 0.969], [1, 1.4, 2]);
    const s = records(2, [0.97, 0.969, 0.968], [1, 1.4, 2.02]);
    const v = computeVerdict([run('a', 'asexual', a, true), run('s', 'sexual', s, true)], 'mnist', null);
    expect(v.pairs[0].atDrop.lead).toBe('undecided');
    expect(v.pairs[0].atEqual.lead).toBe('even');
    expect(v.headline).toContain('about equally compact at equal generations');
    expect(v.reproduced).toBeNull();
  });

  it('compares every further run with the asexual one, and needs two runs', () => {
    const v = computeVerdict(
      [
        run('s', 'sexual', sexual),
        run('a', 'asexual', asexual),
        { ...run('t', 'sexual', sexual), label: 'sexual (α 1, β 0)' },
      ],
      'cifar10',
      null,
    );
    expect(v.pairs.map((p) => [p.reference.label, p.other.label])).toEqual([
      ['asexual', 'sexual'],
      ['asexual', 'sexual (α 1, β 0)'],
    ]);
    expect(v.paper).toContain('10.7× fewer synapses');
    expect(computeVerdict([run('a', 'asexual', asexual)], 'mnist', null).headline).toMatch(/at least two runs/);
  });
});
