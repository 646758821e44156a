/**
 * A run's settings over time: its configuration at any generation, rebuilt from the final one by
 * undoing the recorded mid-run changes (each keeps its values before and after), and the CSV that
 * carries every live setting on every row, so a reader sees the α, β and ρ each network came from.
 */
import { matingWeights, type RunConfig } from './config';
import { recordsToCsv, type ConfigChange, type RunReport } from './records';
import { getPath, setPath, type Setting } from './setting';
import { ALL_SETTINGS } from './settings-table';

export interface ConfigAt {
  config: RunConfig;
  /** Paths whose value at that generation is not known (a change recorded without its old value). */
  unknown: string[];
}

/** The configuration networks of `generation` were synthesised and trained with. */
export function configAtGeneration(final: RunConfig, changes: readonly ConfigChange[], generation: number): ConfigAt {
  const config = structuredClone(final);
  const unknown = new Set<string>();
  const later = changes.filter((c) => c.generation > generation).sort((a, b) => b.generation - a.generation);
  for (const change of later)
    for (const path of change.changed) {
      if (change.from && path in change.from) setPath(config, path, structuredClone(change.from[path]));
      else unknown.add(path);
    }
  return { config, unknown: [...unknown] };
}

/** The configuration the run started with (its ancestor's generation). */
export const startingConfig = (final: RunConfig, changes: readonly ConfigChange[]): ConfigAt =>
  configAtGeneration(final, changes, 1);

/** The settings that may change while a run goes: one CSV column each, named from its id. */
export const LIVE_SETTINGS: readonly Setting[] = ALL_SETTINGS.filter((s) => s.live);

export const settingColumn = (s: Setting) => s.id.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A setting's value as the run used it: mating weights as applied (equal shares when unset;
 * empty for a parent the mode does not have), empty when unknown.
 */
export function settingCell(s: Setting, at: ConfigAt): string {
  if (at.unknown.some((p) => s.path === p || s.path.startsWith(`${p}.`))) return '';
  const list = /^mating\.(cluster|synapse)\.(\d+)$/.exec(s.path);
  if (list) {
    const weights = matingWeights(at.config, at.config.parents)[list[1] as 'cluster' | 'synapse'];
    const w = weights[Number(list[2])];
    return w === undefined ? '' : String(Number(w.toPrecision(6)));
  }
  const value = getPath(at.config, s.path);
  return value === null || value === undefined ? '' : String(value);
}

/** generations.csv with the live settings in effect for each row's generation appended. */
export function reportToCsv(report: Pick<RunReport, 'records' | 'config' | 'configChanges'>): string {
  const [header, ...rows] = recordsToCsv(report.records).trimEnd().split('\n');
  const byGeneration = new Map<number, ConfigAt>();
  const at = (g: number) => {
    if (!byGeneration.has(g)) byGeneration.set(g, configAtGeneration(report.config, report.configChanges, g));
    return byGeneration.get(g)!;
  };
  const lines = [
    [header, ...LIVE_SETTINGS.map(settingColumn)].join(','),
    ...rows.map((row, i) => {
      const settings = at(report.records[i].generation);
      return [row, ...LIVE_SETTINGS.map((s) => csvCell(settingCell(s, settings)))].join(',');
    }),
  ];
  return lines.join('\n') + '\n';
}

const csvCell = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
