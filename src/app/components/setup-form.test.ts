/** The setup form rendered to HTML (no browser): every field the settings table gives the lab is in it. */
import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Setting } from '../../experiment/setting';
import type { LabSettingId } from '../../experiment/settings-table';
import { defaultSetup, LAB_SETTINGS, type LabSetup } from '../setup';
import { LIVE_HINT, SettingField, SetupContext, type SetupBinding } from './setting-field';
import { recordingById } from '../../experiment/recordings';
import { PRESETS } from '../presets';
import { PresetPicker, SetupForm } from './setup-form';

function render(node: ReactElement, setup: LabSetup, state: Partial<SetupBinding> = {}): string {
  const binding: SetupBinding = { setup, update: () => {}, locked: false, running: false, ...state };
  return renderToStaticMarkup(createElement(SetupContext.Provider, { value: binding }, node));
}

const field = (s: Setting, state: Partial<SetupBinding> = {}) =>
  render(createElement(SettingField, { id: s.id as LabSettingId }), separated(), state);

/** The opening tag of the element with this test id, or undefined. */
const tagOf = (html: string, testId: string) => html.match(new RegExp(`<\\w+[^>]*data-testid="${testId}"[^>]*>`))?.[0];

const testIdOf = (s: Setting) => s.lab?.testId ?? s.cli ?? s.id;

/** The default setup with the mating levels separated, so that every weight has its field. */
function separated(): LabSetup {
  const setup = defaultSetup();
  setup.mating.linked = false;
  return setup;
}

describe('the setup form', () => {
  it('has a field for every setting the table gives the lab, and the lab’s own controls', () => {
    const html = render(createElement(SetupForm, { shipped: 'present', meta: null }), separated());
    for (const s of LAB_SETTINGS) expect(html.split(`data-testid="${testIdOf(s)}"`), s.id).toHaveLength(2);
    for (const id of [
      'dataset',
      'train-subset',
      'test-subset',
      'generations',
      'epochs',
      'population',
      'seed',
      'backend',
      'ancestor',
      'ancestor-epochs',
      'rho',
      'budget-mode',
      'alpha',
      'beta',
      'separate-levels',
      'alpha-s',
      'beta-s',
      'batch-size',
      'add-mode',
      'add-run',
    ])
      expect(tagOf(html, id), id).toBeDefined();
    // The run types: the paper's modes and the pruning baselines.
    for (const [value, label] of [
      ['asexual', 'asexual'],
      ['magnitude', 'magnitude pruning'],
      ['magnitude-layerwise', 'layer-wise magnitude pruning'],
      ['random', 'random pruning'],
    ])
      expect(html).toContain(`<option value="${value}">${label}</option>`);
  });

  it('draws each field from its row: label, kind, bounds, step and choices', () => {
    for (const s of LAB_SETTINGS) {
      const html = field(s);
      const tag = tagOf(html, testIdOf(s))!;
      expect(html, s.id).toContain(`>${s.lab?.label ?? s.label}<`);
      if (s.kind === 'integer') expect(tag, s.id).toMatch(/^<input[^>]*type="text"[^>]*inputMode="numeric"/);
      if (s.kind === 'number' && s.lab?.slider) {
        const { min, max, step } = s.lab.slider;
        expect(tag, s.id).toMatch(new RegExp(`type="range" min="${min}" max="${max}" step="${step}"`));
      }
      if (s.kind === 'number' && !s.lab?.slider) expect(tag, s.id).toMatch(/type="text"[^>]*inputMode="decimal"/);
      if (s.kind === 'choice') {
        expect(tag, s.id).toMatch(/^<select/);
        const options = [...html.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => [m[1], m[2]]);
        expect(options, s.id).toEqual(s.choices.map((c) => [c.value, c.label]));
      }
      if (s.kind === 'boolean') expect(tag, s.id).toMatch(/type="checkbox"/);
      if (s.kind === 'text') expect(tag, s.id).toMatch(/^<input[^>]*type="text"/);
    }
  });

  it('holds fixed what runs with results fix, and says when a live change applies', () => {
    for (const s of LAB_SETTINGS) {
      expect(tagOf(field(s, { locked: true }), testIdOf(s))!.includes('disabled=""'), s.id).toBe(!s.live);
      expect(field(s, { running: true }).includes(LIVE_HINT), s.id).toBe(s.live);
    }
  });

  it('shows a value of the setup, and the row’s short hint', () => {
    const setup = { ...defaultSetup(), generations: 42, budgetMode: 'target' as const };
    expect(tagOf(render(createElement(SettingField, { id: 'generations' }), setup), 'generations')).toContain(
      'value="42"',
    );
    const budget = render(createElement(SettingField, { id: 'budgetMode' }), setup);
    expect(budget).toMatch(/<option value="target" selected="">/);
    expect(render(createElement(SettingField, { id: 'rho' }), setup)).toContain(
      'share of the parents’ synapses an offspring may keep',
    );
  });

  it('opens with the named presets: one choice each, applied by a button, held fixed with the runs', () => {
    const html = render(createElement(PresetPicker), defaultSetup());
    for (const p of PRESETS) expect(html).toContain(`<option value="${p.id}"`);
    expect(html).toContain(PRESETS[0].description);
    expect(tagOf(html, 'apply-preset')).not.toContain('disabled');
    const locked = render(createElement(PresetPicker), defaultSetup(), { locked: true });
    expect(tagOf(locked, 'preset')).toContain('disabled=""');
    expect(tagOf(locked, 'apply-preset')).toContain('disabled=""');
    expect(tagOf(locked, 'replay-preset')).toBeUndefined();
    const form = render(createElement(SetupForm, { shipped: 'present', meta: null }), defaultSetup());
    expect(form.indexOf('data-testid="preset"')).toBeLessThan(form.indexOf('data-testid="dataset"'));
  });

  it('offers to replay the preset’s recorded runs, by the id of a recording the site ships, except while runs go', () => {
    const replayed: string[] = [];
    const replayRecorded = (id: string) => replayed.push(id);
    const html = render(createElement(PresetPicker), defaultSetup(), { replayRecorded });
    expect(tagOf(html, 'replay-preset')).not.toContain('disabled');
    expect(tagOf(html, 'replay-preset')).toContain(`Replay recorded runs of ${PRESETS[0].name}`);
    // Runs with results hold the setup (no Apply) but a recorded comparison can still be chosen and watched.
    const locked = render(createElement(PresetPicker), defaultSetup(), { replayRecorded, locked: true });
    expect(tagOf(locked, 'apply-preset')).toContain('disabled=""');
    expect(tagOf(locked, 'preset')).not.toContain('disabled');
    expect(tagOf(locked, 'replay-preset')).not.toContain('disabled');
    const running = render(createElement(PresetPicker), defaultSetup(), {
      replayRecorded,
      locked: true,
      running: true,
    });
    expect(tagOf(running, 'preset')).toContain('disabled=""');
    expect(tagOf(running, 'replay-preset')).toContain('disabled=""');
    for (const p of PRESETS) expect(recordingById(p.replay), p.id).toBeDefined();
  });
});
