import { describe, expect, it } from 'vitest';
import { badValue, otherValue } from '../testing/settings';
import { ConfigError, defaultConfig, MODES, resolveConfig, settingDefault, type DatasetName } from './config';
import { getPath, isAllowed, parseSettingText, setPath, settingProblem, settingText } from './setting';
import { ALL_SETTINGS, SETTINGS } from './settings-table';

const DATASETS: readonly DatasetName[] = ['mnist', 'cifar10'];

describe('the settings table', () => {
  it('names paths that exist in the run configuration of every dataset', () => {
    for (const dataset of DATASETS)
      for (const s of ALL_SETTINGS) {
        const value = getPath(defaultConfig(dataset), s.path);
        // A mating weight is an element of a list that defaults to null (equal weights): the row gives its default.
        if (/\.\d+$/.test(s.path)) {
          expect(getPath(defaultConfig(dataset), s.path.replace(/\.\d+$/, '')), s.id).toBeNull();
          expect(s.default, s.id).toBeTypeOf('number');
        } else expect(value, `${s.id} at ${s.path}`).not.toBeUndefined();
      }
  });

  it('has defaults within its bounds, for every dataset and mode, in the run configuration and the lab', () => {
    for (const dataset of DATASETS)
      for (const mode of MODES)
        for (const s of ALL_SETTINGS) expect(settingProblem(s, settingDefault(s, dataset, mode))).toBeNull();
    for (const dataset of DATASETS)
      for (const s of ALL_SETTINGS.filter((x) => x.lab?.default))
        expect(settingProblem(s, s.lab!.default!(dataset))).toBeNull();
  });

  it('gives every setting a unique id, URL key and CLI flag, a label and a plain explanation', () => {
    const unique = (xs: (string | undefined)[]) => {
      const given = xs.filter((x) => x !== undefined);
      expect(new Set(given).size).toBe(given.length);
    };
    unique(ALL_SETTINGS.map((s) => s.id));
    // The lab's own URL keys share the query with the table's.
    unique([...ALL_SETTINGS.map((s) => s.url), 'linked', 'ancestor', 'runs', 'session']);
    unique(ALL_SETTINGS.map((s) => s.cli));
    for (const s of ALL_SETTINGS) {
      expect(s.label.length, s.id).toBeGreaterThan(2);
      // One or two sentences, each ending in a full stop, short enough to show under a field.
      expect(s.help, s.id).toMatch(/^[A-Z“‘].*\.$/);
      expect(s.help.split(/\.\s+(?=[A-Z“])/).length, s.id).toBeLessThanOrEqual(2);
      expect(s.help.length, s.id).toBeLessThan(300);
      if (s.kind === 'choice') {
        expect(s.choices.length, s.id).toBeGreaterThanOrEqual(2);
        unique(s.choices.map((c) => c.value));
      }
      if (s.kind === 'integer' || s.kind === 'number') expect(s.min, s.id).toBeLessThan(s.max);
      // What the lab shows lives in its URL.
      if (s.lab) expect(s.url, s.id).toBeDefined();
    }
  });

  it('lets change mid-run only what a running run accepts (the runner’s LiveSettings)', () => {
    for (const s of ALL_SETTINGS.filter((x) => x.live))
      expect(s.path, s.id).toMatch(/^(synthesis|mating|epochsPerGeneration|generations|training)\b/);
    // What fixes the ancestor and the data never changes mid-run.
    for (const id of [
      'dataset',
      'mode',
      'ancestorEpochs',
      'population',
      'parents',
      'trainSubset',
      'testSubset',
      'seed',
    ])
      expect(ALL_SETTINGS.find((s) => s.id === id)?.live, id).toBe(false);
  });

  it('rejects an out-of-range value of every setting with a message that names its label', () => {
    for (const s of ALL_SETTINGS) {
      const partial = {};
      setPath(partial, s.path, badValue(s));
      // A mating weight is checked with its whole list: give the other parent's weight too.
      if (/^mating\..*\.\d$/.test(s.path))
        setPath(partial, s.path.replace(/\d+$/, String(1 - Number(s.path.at(-1)))), 0.5);
      let error: unknown;
      try {
        resolveConfig(partial);
      } catch (e) {
        error = e;
      }
      expect(error, s.id).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems, s.id).toContain(settingProblem(s, badValue(s)));
      expect(settingProblem(s, badValue(s))).toMatch(new RegExp(`^${s.label.replace(/[()]/g, '\\$&')} must be `));
    }
  });

  it('says what is wrong in the person’s words', () => {
    const rho = SETTINGS.find((s) => s.id === 'rho')!;
    expect(settingProblem(rho, 7)).toBe('Synapse budget ρ must be more than 0 and at most 1 (got 7)');
    const generations = SETTINGS.find((s) => s.id === 'generations')!;
    expect(settingProblem(generations, 0)).toBe('Generations must be a whole number from 1 to 200 (got 0)');
    const momentum = SETTINGS.find((s) => s.id === 'momentum')!;
    expect(settingProblem(momentum, -1)).toBe('Momentum (SGD) must be between 0 and 1 (got -1)');
    const mode = SETTINGS.find((s) => s.id === 'budgetMode')!;
    expect(settingProblem(mode, 'fixed')).toBe('Budget mode must be one of cap, target, constant (got "fixed")');
    const hard = SETTINGS.find((s) => s.id === 'hardBound')!;
    expect(settingProblem(hard, 'yes')).toBe('Hard budget bound must be true or false (got "yes")');
  });

  it('reads back every value it writes as text, and reads nothing else', () => {
    for (const s of ALL_SETTINGS) {
      const value = otherValue(s, settingDefault(s, 'mnist'));
      expect(isAllowed(s, value), s.id).toBe(true);
      expect(parseSettingText(s, settingText(value)), s.id).toEqual({ ok: true, value });
    }
    const train = SETTINGS.find((s) => s.id === 'trainSubset')!;
    expect(parseSettingText(train, 'all')).toEqual({ ok: true, value: null });
    expect(parseSettingText(train, '1.5')).toEqual({ ok: false, reason: 'is not a whole number (or "all")' });
    expect(
      parseSettingText(
        SETTINGS.find((s) => s.id === 'rho')!,
        '',
      ),
    ).toEqual({
      ok: false,
      reason: 'is not a number',
    });
  });

  it('writes and reads values by path, lists included', () => {
    const o = {};
    setPath(o, 'synthesis.budget.rho', 0.5);
    setPath(o, 'mating.cluster.1', 0.25);
    expect(o).toEqual({ synthesis: { budget: { rho: 0.5 } }, mating: { cluster: [undefined, 0.25] } });
    expect(getPath(o, 'mating.cluster.1')).toBe(0.25);
    expect(getPath(o, 'mating.synapse.0')).toBeUndefined();
  });
});
