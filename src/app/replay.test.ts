/** The replay model: the runs as they stood at a generation, and the setup that made them. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRunReport } from '../experiment/artefacts';
import { replayBounds, replaySource, runsAt, setupFromConfigs } from './replay';

const report = (mode: string) => {
  const name = `mnist-10pct-defaults-seed1/${mode}.json`;
  const text = readFileSync(new URL(`../../public/recorded/${name}`, import.meta.url), 'utf8');
  return parseRunReport(JSON.parse(text), { name });
};

describe('replay', () => {
  const asexual = report('asexual');
  const sexual = report('sexual');

  it('takes the comparison’s setup from its sexual run (an asexual run’s population is always 1)', () => {
    const setup = setupFromConfigs([asexual.config, sexual.config]);
    expect(setup.population).toBe(sexual.config.population);
    expect(setup.population).toBe(2);
    expect(setup.runs.map((v) => v.mode)).toEqual(['asexual', 'sexual']);
    expect(setup.generations).toBe(13);
    expect(setup.dataset).toBe('mnist');
  });

  it('cuts every run at the generation shown; a run past its end is its finished self', () => {
    const { runs } = replaySource('t', { kind: 'page' }, [{ report: asexual }, { report: sexual }]);
    expect(replayBounds(runs)).toEqual({ first: 1, last: 13 });
    const at4 = runsAt(runs, 4);
    expect(at4.map((r) => Math.max(...r.records.map((x) => x.generation)))).toEqual([4, 4]);
    expect(at4.map((r) => r.status)).toEqual(['running', 'running']);
    expect(at4[1].records).toEqual(sexual.records.filter((r) => r.generation <= 4));
    const atEnd = runsAt(runs, 13);
    expect(atEnd[0]).toBe(runs[0]);
    expect(atEnd.map((r) => r.status)).toEqual(['completed', 'completed']);
  });

  it('labels repeated run types by seed, and refuses runs of two datasets', () => {
    const seed2 = { ...asexual, config: { ...asexual.config, seed: 2 } };
    const { runs } = replaySource('t', { kind: 'page' }, [{ report: asexual }, { report: seed2 }]);
    expect(runs.map((r) => r.label)).toEqual(['asexual (seed 1)', 'asexual (seed 2)']);
    const cifar = { ...asexual, config: { ...asexual.config, dataset: 'cifar10' as const } };
    expect(() => replaySource('t', { kind: 'page' }, [{ report: asexual }, { report: cifar }])).toThrow(
      /different datasets/,
    );
  });
});
