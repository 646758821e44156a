import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { planSweep } from './points';
import { arrayRange, batchScript, planArrays, sbatchArgs } from './slurm';
import { validateSpec } from './spec';

const plan = planSweep(
  validateSpec(
    {
      name: 'grid',
      base: { generations: 3 },
      axes: { seed: [1, 2, 3], mode: ['asexual', 'sexual'] },
      points: [{ seed: 2, rho: 0.5 }],
    },
    () => ({}),
  ),
  { dataDir: "/data/it's here" },
);
const options = {
  cpusPerTask: 2,
  partition: 'long',
  time: '2:00:00',
  mem: '4G',
  extra: ['--qos=low', '--account=lab'],
};

describe('Slurm arrays of a sweep', () => {
  it('writes index ranges as Slurm does', () => {
    expect(arrayRange([0, 1, 2, 3])).toBe('0-3');
    expect(arrayRange([5, 0, 2])).toBe('0,2,5');
    expect(arrayRange([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
  });

  it('puts the ancestors first and aligns each ancestor’s points with it by index', () => {
    const arrays = planArrays(plan.ancestors, plan.points);
    expect(arrays.map((a) => [a.phase, a.afterAncestors, a.tasks.map((t) => [t.index, t.unit.id])])).toEqual([
      [
        'ancestors',
        false,
        [
          [0, 'seed=1'],
          [1, 'seed=2'],
          [2, 'seed=3'],
        ],
      ],
      [
        'points',
        true,
        [
          [0, 'mode=asexual,seed=1'],
          [1, 'mode=asexual,seed=2'],
          [2, 'mode=asexual,seed=3'],
        ],
      ],
      [
        'points',
        true,
        [
          [0, 'mode=sexual,seed=1'],
          [1, 'mode=sexual,seed=2'],
          [2, 'mode=sexual,seed=3'],
        ],
      ],
      // seed 2 has a third point: task 1 of a third array.
      ['points', true, [[1, 'seed=2,rho=0.5']]],
    ]);
    // Every point's task waits for the ancestor task of the same index.
    for (const array of arrays.slice(1))
      for (const t of array.tasks) expect(arrays[0].tasks[t.index].unit.id).toBe(t.unit.ancestor);
    // Points whose ancestors have finished go in one array of their own, without a dependency.
    const rerun = planArrays([plan.ancestors[2]], [plan.points[1], plan.points[5]]);
    expect(rerun.map((a) => [a.phase, a.afterAncestors, a.tasks.map((t) => [t.index, t.unit.id])])).toEqual([
      ['ancestors', false, [[0, 'seed=3']]],
      ['points', true, [[0, 'mode=sexual,seed=3']]],
      ['points', false, [[0, 'mode=sexual,seed=1']]],
    ]);
    expect(sbatchArgs('/s/x.sbatch', 41)).toEqual([
      '--parsable',
      '--dependency=aftercorr:41',
      '--kill-on-invalid-dep=yes',
      '/s/x.sbatch',
    ]);
    expect(sbatchArgs('/s/x.sbatch')).toEqual(['--parsable', '/s/x.sbatch']);
  });

  it('writes a batch script that runs the headless runner on its task’s unit', () => {
    const [, , , extra] = planArrays(plan.ancestors, plan.points);
    const script = batchScript(extra, {
      name: 'grid',
      sweepDir: '/shared/sweeps/grid',
      repoRoot: '/shared/evolab',
      options,
      label: 'r1-points-3',
    });
    const header = script.split('\n').filter((l) => l.startsWith('#SBATCH'));
    expect(header).toEqual([
      '#SBATCH --job-name=evolab-grid-r1-points-3',
      '#SBATCH --array=1',
      '#SBATCH --cpus-per-task=2',
      '#SBATCH --output=/shared/sweeps/grid/slurm/r1-points-3-%A_%a.out',
      '#SBATCH --partition=long',
      '#SBATCH --time=2:00:00',
      '#SBATCH --mem=4G',
      '#SBATCH --qos=low',
      '#SBATCH --account=lab',
    ]);
    expect(script).toContain(
      `  1) UNIT='points/seed=2,rho=0.5'; DATA='/data/it'\\''s here'; FROM='ancestors/seed=2' ;;`,
    );
    expect(script).toContain("cd '/shared/evolab' || exit 1");
    expect(script).toMatch(
      /\nnode --import tsx src\/cli\/evolve\.ts "\$@" --data-dir "\$DATA" --threads "\$\{SLURM_CPUS_PER_TASK:-1\}"/,
    );
    expect(script).toContain('--ancestor-from "$SWEEP/$FROM"');
    expect(script).toContain('set -- --resume "$RUN"');
    // bash accepts it.
    expect(() => execFileSync('bash', ['-n'], { input: script })).not.toThrow();
  });
});
