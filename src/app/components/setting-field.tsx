/**
 * One form field for any row of the settings table: its label, bounds, step, choices and test id
 * come from the row; its value and changes go through the SetupBinding of the form around it.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { allowedText, isAllowed, type Setting } from '../../experiment/setting';
import { settingById, type LabSettingId } from '../../experiment/settings-table';
import { labValue, withLabValue, type LabSetup } from '../setup';
import { CheckField, IntegerField, NumberField, SelectField, SliderField, TextField } from './fields';

/** What a field needs of the lab: the setup, a way to change it, and whether runs hold it fixed. */
export interface SetupBinding {
  setup: LabSetup;
  update: (change: (s: LabSetup) => LabSetup) => void;
  /** Runs have results: only the live settings may change. */
  locked: boolean;
  /** A run goes: live settings apply from its next generation. */
  running: boolean;
  /** Replays one of the recorded comparisons the site ships, by id (absent where nothing can replay). */
  replayRecorded?: (id: string) => void;
}

export const SetupContext = createContext<SetupBinding | null>(null);

export function useSetupBinding(): SetupBinding {
  const binding = useContext(SetupContext);
  if (!binding) throw new Error('a setting field needs a SetupContext around it');
  return binding;
}

export const LIVE_HINT = 'applies from the next generation';

export function SettingField(props: {
  id: LabSettingId;
  /** Instead of the row's label (the mating weights name their level only when levels are separate). */
  label?: string;
  /** Instead of the row's hint (and of the live hint during a run). */
  hint?: ReactNode;
  /** Instead of the row's explanation (when the form gives the setting a wider meaning). */
  help?: string;
  /** Instead of setting just this value (e.g. a new dataset brings its own subset size). */
  onChange?: (setup: LabSetup, value: never) => LabSetup;
}) {
  const { setup, update, locked, running } = useSetupBinding();
  const s = settingById(props.id) as Setting;
  const lab = s.lab!;
  const value = labValue(setup, s);
  const set = (v: unknown) =>
    update((current) => (props.onChange ? props.onChange(current, v as never) : withLabValue(current, s, v)));
  const common = {
    label: props.label ?? lab.label ?? s.label,
    testId: lab.testId ?? s.cli ?? s.id,
    disabled: locked && !s.live,
    hint: props.hint ?? (running && s.live ? LIVE_HINT : lab.hint),
    help: props.help ?? s.help,
  };
  switch (s.kind) {
    case 'integer':
      return (
        <IntegerField
          {...common}
          value={value as number | null}
          min={s.min}
          max={s.max}
          allowAll={s.all}
          onChange={set}
        />
      );
    case 'number':
      return lab.slider ? (
        <SliderField {...common} value={value as number} {...lab.slider} onChange={set} />
      ) : (
        <NumberField
          {...common}
          value={value as number}
          isValid={(n) => isAllowed(s, n)}
          expected={allowedText(s)}
          onChange={set}
        />
      );
    case 'choice':
      return <SelectField {...common} value={value as string} options={[...s.choices]} onChange={set} />;
    case 'boolean':
      return <CheckField {...common} value={value as boolean} onChange={set} />;
    case 'text':
      return <TextField {...common} value={value as string} problem={s.check} onChange={set} />;
  }
}

/** A group's fields in order, its advanced ones under an "Advanced" disclosure. */
export function SettingFields({ ids, advanced }: { ids: readonly LabSettingId[]; advanced?: ReactNode }) {
  const level = (id: LabSettingId) => (settingById(id) as Setting).lab?.level;
  const more = ids.filter((id) => level(id) === 'advanced');
  return (
    <>
      {ids
        .filter((id) => level(id) !== 'advanced')
        .map((id) => (
          <SettingField key={id} id={id} />
        ))}
      {more.length || advanced ? (
        <details className="advanced">
          <summary>Advanced</summary>
          {advanced}
          {more.map((id) => (
            <SettingField key={id} id={id} />
          ))}
        </details>
      ) : null}
    </>
  );
}
