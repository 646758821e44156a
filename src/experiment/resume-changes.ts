/**
 * What a resume may change. A run is its settings: continuing it with another mode, seed, subset
 * or dataset would make its records describe a run that never happened. So a resume may extend
 * the run (Generations) and change the settings the table marks live (they apply from the next
 * generation and are recorded as a configuration change, as when changed mid-run); any other
 * difference is refused, listed by the settings' labels.
 */
import type { LiveSettings, RunConfig } from './config';
import { getPath, setPath, settingText, type Setting } from './setting';
import { ALL_SETTINGS } from './settings-table';

export interface SettingChange {
  setting: Setting;
  from: unknown;
  to: unknown;
}

export interface ResumePlan {
  /** Settings a resume cannot change. */
  refused: SettingChange[];
  /** Live settings: applied from the next generation, recorded in configChanges. */
  live: SettingChange[];
  /** The patch that applies `live` (for ExperimentRunner.changeSettings). */
  patch: LiveSettings;
  /** The run's length: the checkpoint's, or the one asked for. */
  generations: number;
}

const valueOf = (config: RunConfig, s: Setting): unknown => {
  const v = getPath(config, s.path);
  // A mating weight of a list left at null (equal weights) is the row's default share.
  return v === undefined ? s.default : v;
};

export const changeText = (c: SettingChange) => `${c.setting.label} ${settingText(c.from)} → ${settingText(c.to)}`;

/** How `requested` (the checkpoint's settings with the person's changes) differs from `stored`. */
export function planResume(stored: RunConfig, requested: RunConfig): ResumePlan {
  const refused: SettingChange[] = [];
  const live: SettingChange[] = [];
  const patch: LiveSettings = {};
  for (const s of ALL_SETTINGS) {
    const from = valueOf(stored, s);
    const to = valueOf(requested, s);
    if (JSON.stringify(from) === JSON.stringify(to) || s.id === 'generations') continue;
    if (s.live) {
      live.push({ setting: s, from, to });
      // A mating weight patches its whole list (the runner checks lists whole).
      const list = s.path.match(/^(.*)\.\d+$/)?.[1];
      if (list) setPath(patch, list, getPath(requested, list));
      else setPath(patch, s.path, to);
    } else refused.push({ setting: s, from, to });
  }
  return { refused, live, patch, generations: requested.generations };
}
