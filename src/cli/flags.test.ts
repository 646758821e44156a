/** `npm run evolve`'s flags → a run configuration, in-process (evolve.test.ts runs the process itself). */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig, settingDefault } from '../experiment/config';
import { getPath, settingProblem } from '../experiment/setting';
import { ALL_SETTINGS, type SettingId } from '../experiment/settings-table';
import { badValue, cliText, otherValue } from '../testing/settings';
import { CLI_OPTIONS, configFromFlags, helpText, parseCliArgs, parseThreads, UsageError, type CliFlags } from './flags';

const WITH_FLAGS = ALL_SETTINGS.filter((s) => s.cli !== undefined);
/** Flags a value needs beside it to make a valid run (more parents need the multiparent mode). */
const CONTEXT: Partial<Record<SettingId, CliFlags>> = {
  parents: { mode: 'multiparent', population: '8' },
  // Two islands of two networks each, for two parents per offspring.
  islands: { population: '4' },
};

function problemsOf(flags: CliFlags): string[] {
  try {
    resolveConfig(configFromFlags(flags));
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

describe('evolve flags', () => {
  it('set every setting of the table that names a flag', () => {
    for (const s of WITH_FLAGS) {
      const context = CONTEXT[s.id as SettingId] ?? {};
      // A mating weight's list is null by default (equal weights): the row gives the default.
      const at = getPath(resolveConfig(configFromFlags(context)), s.path);
      const before = at === undefined ? s.default : at;
      const value = otherValue(s, before);
      const config = resolveConfig(configFromFlags({ ...context, [s.cli!]: cliText(value) }));
      expect(getPath(config, s.path), s.id).toEqual(value);
    }
  });

  it('reject a value out of range with the setting’s label, and a non-number before that', () => {
    for (const s of WITH_FLAGS)
      expect(problemsOf({ [s.cli!]: cliText(badValue(s)) }), s.id).toContain(settingProblem(s, badValue(s)));
    expect(() => configFromFlags({ generations: 'many' })).toThrow(UsageError);
    expect(() => configFromFlags({ generations: 'many' })).toThrow('--generations expects a number (got "many")');
    expect(problemsOf({ generations: '2.5' })).toEqual(['Generations must be a whole number from 1 to 200 (got 2.5)']);
    expect(problemsOf({ mode: 'cloning' })).toEqual([
      'Mode must be one of asexual, sexual, multiparent, magnitude, magnitude-layerwise, random (got "cloning")',
    ]);
  });

  it('keep what a config file says unless a flag says otherwise; a new mode brings its own population', () => {
    const base = { generations: 7, population: 4, parents: 2, synthesis: { budget: { rho: 0.5 } } };
    expect(configFromFlags({ seed: '3' }, base)).toMatchObject({ ...base, seed: 3 });
    const asexual = resolveConfig(configFromFlags({ mode: 'asexual' }, { ...base, mode: 'sexual' }));
    expect(asexual).toMatchObject({ mode: 'asexual', population: 1, parents: 1, generations: 7 });
    expect(configFromFlags({ 'train-subset': 'all' }, { trainSubset: 600 }).trainSubset).toBeNull();
  });

  it('have shorthands for both mating levels and both normalisers, which the per-level flags override', () => {
    expect(configFromFlags({ alpha: '0.7' }).mating).toEqual({ cluster: [0.7, 0.5], synapse: [0.7, 0.5] });
    expect(configFromFlags({ alpha: '0.7', 'alpha-c': '0.2', 'beta-s': '0.1' }).mating).toEqual({
      cluster: [0.2, 0.5],
      synapse: [0.7, 0.1],
    });
    // A level given by flag starts afresh, as it always has: the other parent's weight is 0.5.
    expect(configFromFlags({ 'beta-c': '0.9' }, { mating: { cluster: [0.1, 0.2] } }).mating?.cluster).toEqual([
      0.5, 0.9,
    ]);
    expect(configFromFlags({ normaliser: 'max' }).synthesis).toEqual({
      clusterNormaliser: 'max',
      synapseNormaliser: 'max',
    });
    expect(problemsOf({ normaliser: 'parents' })).toEqual([
      'Cluster normaliser Z must be one of mean, max (got "parents")',
    ]);
    expect(() => configFromFlags({ beta: 'half' })).toThrow('--beta expects a number (got "half")');
  });

  it('do not collide: one option per table flag, shorthand and runner flag', () => {
    const names = [...WITH_FLAGS.map((s) => s.cli), 'alpha', 'beta', 'normaliser'];
    for (const name of names) expect(CLI_OPTIONS[name!], name).toEqual({ type: 'string' });
    // help, describe, data-dir, out, resume, ancestor-from, config, threads, quiet, export-model, run
    expect(Object.keys(CLI_OPTIONS)).toHaveLength(names.length + 11);
  });

  it('are all in --help, with label, range and defaults', () => {
    const help = helpText();
    for (const s of WITH_FLAGS) {
      expect(help).toContain(`--${s.cli} `);
      expect(help).toContain(s.label);
    }
    expect(help).toMatch(/--epochs N +Epochs per generation, a whole number from 0 to 1000 \(mnist 2, cifar10 5\)\./);
    expect(help).toMatch(/--population N +Population, a whole number from 1 to 8 \(asexual 1, sexual 2, multiparent/);
    expect(help).toMatch(/--rho X +Synapse budget ρ, more than 0 and at most 1 \(0\.7\)\. The environment’s/);
    expect(help).toMatch(/--train-subset N\|all +Training images, .*\(all\)/);
    expect(help).toMatch(/--hard-bound true\|false\s+Hard budget bound \(false\)/);
    expect(help).toMatch(/--alpha A +mating weight α at both levels: --alpha-c --alpha-s/);
    for (const line of help.slice(help.indexOf('Runner options:')).split('\n'))
      expect(line.length, line).toBeLessThanOrEqual(100);
    expect(
      settingDefault(
        ALL_SETTINGS.find((s) => s.id === 'seed')!,
        'mnist',
      ),
    ).toBe(1);
  });

  it('take a thread count or auto, at most the cores (with a warning above)', () => {
    expect(parseThreads(undefined)).toEqual({ threads: availableParallelism(), warning: null });
    expect(parseThreads('auto', 4)).toEqual({ threads: 4, warning: null });
    expect(parseThreads('3', 4)).toEqual({ threads: 3, warning: null });
    expect(parseThreads('64', 2)).toEqual({
      threads: 2,
      warning: '--threads 64 is more than the 2 cores here: using 2',
    });
    expect(() => parseThreads('0')).toThrow('--threads must be a positive whole number or auto (got "0")');
    expect(() => parseThreads('1.5')).toThrow(UsageError);
  });

  it('are read from argv with a clear word for every slip', () => {
    expect(parseCliArgs(['--seed', '3', '--quiet', '--out=runs/x', '-h'])).toEqual({
      flags: { seed: '3', quiet: true, out: 'runs/x', help: true },
      positionals: [],
      warnings: [],
    });
    // A negative number is a value (its range is validation's to judge), not an option.
    expect(parseCliArgs(['--seed', '-1', '--rho', '-.5']).flags).toEqual({ seed: '-1', rho: '-.5' });
    expect(parseCliArgs(['--seed', '1', '--seed', '2'])).toMatchObject({
      flags: { seed: '2' },
      warnings: ['--seed is given twice (1, then 2): using 2'],
    });
    expect(parseCliArgs(['x', '--', '--y']).positionals).toEqual(['x', '--y']);
    for (const [argv, message] of [
      [['--generatons', '3'], 'unknown option --generatons (did you mean --generations?)'],
      [['--bogus'], 'unknown option --bogus'],
      [['-q'], 'unknown option -q'],
      [['--quiet=no'], '--quiet takes no value (got --quiet=no); give --quiet alone'],
      [['--out'], '--out needs a value'],
      [['--out', '--quiet'], '--out needs a value (got the option --quiet instead)'],
      [['--out='], '--out needs a value (got an empty one)'],
    ] as const)
      expect(() => parseCliArgs(argv), argv.join(' ')).toThrow(new UsageError(message));
  });
});
