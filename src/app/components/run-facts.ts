/** What the teaching panels read of each run, as stable references: they re-render when records change, not on progress. */
import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { RunConfig } from '../../experiment/config';
import type { NetworkRecord } from '../../experiment/records';
import { isActive } from '../state';
import { useLab } from '../store';

export interface RunFacts {
  id: string;
  label: string;
  colour: string;
  mode: string;
  records: NetworkRecord[];
  config: RunConfig;
  active: boolean;
  storedGeneration: number;
}

export function useRunFacts(): RunFacts[] {
  const ids = useLab(useShallow((s) => s.runs.map((r) => r.id)));
  const labels = useLab(useShallow((s) => s.runs.map((r) => r.label)));
  const colours = useLab(useShallow((s) => s.runs.map((r) => r.colour)));
  const modes = useLab(useShallow((s) => s.runs.map((r) => r.variant.mode)));
  const records = useLab(useShallow((s) => s.runs.map((r) => r.records)));
  const configs = useLab(useShallow((s) => s.runs.map((r) => r.config)));
  const active = useLab(useShallow((s) => s.runs.map((r) => isActive(r.status))));
  const stored = useLab(useShallow((s) => s.runs.map((r) => r.storedGeneration)));
  return useMemo(
    () =>
      ids.map((id, i) => ({
        id,
        label: labels[i],
        colour: colours[i],
        mode: modes[i],
        records: records[i],
        config: configs[i],
        active: active[i],
        storedGeneration: stored[i],
      })),
    [ids, labels, colours, modes, records, configs, active, stored],
  );
}
