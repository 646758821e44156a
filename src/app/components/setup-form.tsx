/**
 * The setup form: each setting a field of the settings table, in the groups below; the lab-only
 * choices (the ancestor's source, linked mating weights, the runs to compare) written out here.
 * Pure: it reads and changes the setup through the SetupContext around it.
 */
import { useState } from 'react';
import { labSubsets, type AncestorMeta } from '../../experiment/ancestor';
import type { DatasetName } from '../../experiment/config';
import { settingById, type LabSettingId } from '../../experiment/settings-table';
import {
  RUN_MODES,
  runColours,
  runLabel,
  type LabSetup,
  type MatingSliders,
  type RunMode,
  type RunVariant,
} from '../setup';
import { applyPreset, PRESETS } from '../presets';
import { Explain } from './explain';
import { SelectField, SliderField } from './fields';
import { SettingField, SettingFields, useSetupBinding } from './setting-field';
import { useLab } from '../store';

/** The environment's settings, in order; advanced ones go under its "Advanced". */
export const ENVIRONMENT_FIELDS: readonly LabSettingId[] = [
  'rho',
  'budgetMode',
  'clusterFactor',
  'rhoSchedule',
  'budgetScope',
  'layerFloor',
  'minFilters',
];
/** Under the mating weights' "Advanced", after the separate-levels switch. */
export const MATING_ADVANCED_FIELDS: readonly LabSettingId[] = ['fitnessTemperature', 'batchSize'];
/** Who mates with whom (issue 19): under "Data and networks"' "Advanced". */
export const POPULATION_ADVANCED_FIELDS: readonly LabSettingId[] = [
  'parentSelection',
  'tournamentSize',
  'ancestors',
  'islands',
  'migrationInterval',
];

/** What a linked α or β does besides its cluster level (its row in the table describes that level only). */
const LINKED_HELP =
  'While the two levels are linked (see Advanced), the same weight also blends the parents’ weights of each synapse: its chance of surviving and its starting weight.';

export interface ShippedAncestor {
  shipped: 'unknown' | 'present' | 'absent';
  meta: AncestorMeta | null;
}

/**
 * The named presets (presets.ts): pick one, apply it (it replaces the setup's settings and runs),
 * or watch the recorded comparison behind it without training.
 */
export function PresetPicker() {
  const { update, locked: runLocked, running, replayRecorded } = useSetupBinding();
  const replaying = useLab((s) => s.replay !== null);
  // A replay shows the settings its runs were made with: a preset would only hide them.
  const locked = replaying || runLocked;
  const [id, setId] = useState(PRESETS[0].id);
  const preset = PRESETS.find((p) => p.id === id) ?? PRESETS[0];
  return (
    // The preset's name and description take the column's width; the buttons go under them.
    <div className="preset-picker">
      <SelectField
        label="Preset"
        testId="preset"
        value={id}
        // Choosing changes nothing: while a replay can still be opened, the choice stays open.
        disabled={replayRecorded ? running : locked}
        options={PRESETS.map((p) => ({ value: p.id, label: p.name }))}
        hint={preset.description}
        help="A ready-made comparison from the results' “Beyond the paper”: choose one, then press Apply preset to set up its runs and settings (your data sizes and ancestor stay as they are), or Replay to watch the recorded runs its numbers come from (10 % of MNIST, seed 1), without training."
        onChange={setId}
      />
      <div className="card-actions">
        <button
          type="button"
          data-testid="apply-preset"
          disabled={locked}
          onClick={() => update((s) => applyPreset(s, preset))}
        >
          Apply preset
        </button>
        {replayRecorded ? (
          <button
            type="button"
            data-testid="replay-preset"
            disabled={running}
            aria-label={`Replay recorded runs of ${preset.name}`}
            onClick={() => replayRecorded(preset.replay)}
          >
            Replay recorded
          </button>
        ) : null}
      </div>
    </div>
  );
}

export function SetupForm({ shipped, meta }: ShippedAncestor) {
  const { setup, update, locked, running } = useSetupBinding();
  const replaying = useLab((s) => s.replay !== null);
  const m = setup.mating;
  const setMating = (s: LabSetup, patch: Partial<MatingSliders>): LabSetup => ({
    ...s,
    mating: { ...s.mating, ...patch },
  });

  return (
    <section className="panel controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Setup</h2>
      <PresetPicker />
      {replaying ? (
        <p className="hint" data-testid="replay-setup-hint">
          The settings the replayed runs were made with: close the replay to change them.
        </p>
      ) : locked ? (
        <p className="hint">
          Dataset, sizes, seed and runs are fixed for this comparison (Reset to change them). Sliders still act, from
          the next generation.
        </p>
      ) : null}
      <fieldset>
        <legend>Data and networks</legend>
        <SettingField
          id="dataset"
          onChange={(s, dataset: DatasetName) => ({ ...s, dataset, trainSubset: labSubsets(dataset).trainSubset })}
        />
        <div className="row2">
          <SettingField id="trainSubset" />
          <SettingField id="testSubset" />
        </div>
        <div className="row2">
          <SettingField id="generations" hint={running ? 'can grow during a run' : undefined} />
          <SettingField id="epochsPerGeneration" />
        </div>
        <div className="row2">
          <SettingField id="population" />
          <SettingField id="seed" />
        </div>
        <SettingField id="backend" hint={setup.backend === 'auto' ? 'WebGPU on a real GPU, else wasm' : undefined} />
        <div className="row2">
          <SelectField<LabSetup['ancestor']>
            label="Ancestor"
            testId="ancestor"
            help="Where generation 1 comes from: a network trained in advance and shipped with the lab (evolution starts at once), or one trained here first, on the training images and epochs chosen above."

            value={setup.ancestor}
            disabled={locked}
            options={[
              { value: 'shipped', label: 'shipped' },
              { value: 'train', label: 'train here' },
            ]}
            hint={
              setup.ancestor !== 'shipped'
                ? undefined
                : shipped === 'unknown'
                  ? // Holds the line the description will take (the page does not move when it comes).
                    'looking for the shipped network’s details…'
                  : shipped === 'absent'
                    ? 'none shipped: trained here'
                    : meta
                      ? `${meta.trainSubset ?? 'all'} images, ${meta.ancestorEpochs} epochs, seed ${meta.seed}: ${(100 * meta.testAccuracy).toFixed(1)} %`
                      : undefined
            }
            onChange={(ancestor) => update((s) => ({ ...s, ancestor }))}
          />
          <SettingField id="ancestorEpochs" />
        </div>
        <SettingFields ids={POPULATION_ADVANCED_FIELDS} />
      </fieldset>

      <fieldset>
        <legend>Environment</legend>
        <SettingFields ids={ENVIRONMENT_FIELDS} />
      </fieldset>

      <fieldset>
        <legend>Mating weights (sexual runs)</legend>
        <SettingField
          id="alphaCluster"
          label={m.linked ? 'α (parent A)' : undefined}
          help={m.linked ? `${settingById('alphaCluster').help} ${LINKED_HELP}` : undefined}
          onChange={(s, v: number) =>
            setMating(s, s.mating.linked ? { alphaCluster: v, alphaSynapse: v } : { alphaCluster: v })
          }
        />
        <SettingField
          id="betaCluster"
          label={m.linked ? 'β (parent B)' : undefined}
          help={m.linked ? `${settingById('betaCluster').help} ${LINKED_HELP}` : undefined}
          onChange={(s, v: number) =>
            setMating(s, s.mating.linked ? { betaCluster: v, betaSynapse: v } : { betaCluster: v })
          }
        />
        <SettingFields
          ids={MATING_ADVANCED_FIELDS}
          advanced={
            <>
              <label className="check">
                <input
                  type="checkbox"
                  data-testid="separate-levels"
                  checked={!m.linked}
                  onChange={(e) =>
                    update((s) =>
                      setMating(
                        s,
                        e.target.checked
                          ? { linked: false }
                          : { linked: true, alphaSynapse: s.mating.alphaCluster, betaSynapse: s.mating.betaCluster },
                      ),
                    )
                  }
                />
                Separate cluster- and synapse-level weights
              </label>
              <Explain
                label="separate levels"
                text="α and β blend the parents twice: their filters’ strengths (the cluster level, which filters survive) and each synapse’s weight (the synapse level, which connections survive inside them). Linked, one α and one β set both levels."
              />
              {!m.linked ? (
                <>
                  <SettingField id="alphaSynapse" />
                  <SettingField id="betaSynapse" />
                </>
              ) : null}
            </>
          }
        />
      </fieldset>

      <RunList />
    </section>
  );
}

function RunList() {
  const { setup, update, locked } = useSetupBinding();
  const colours = runColours(setup.runs);
  const [mode, setMode] = useState<RunMode>('sexual');
  const [alpha, setAlpha] = useState(0.7);
  const [beta, setBeta] = useState(0.3);
  const [rho, setRho] = useState(setup.rho);
  const weightRange = settingById('alphaCluster').lab.slider;
  const rhoRange = settingById('rho').lab.slider;
  const add = () => {
    const v: RunVariant = mode === 'sexual' ? { mode, alpha, beta, rho } : { mode, rho };
    update((s) => ({ ...s, runs: [...s.runs, v] }));
  };
  return (
    <fieldset>
      <legend>Runs to compare</legend>
      <ul className="run-list">
        {setup.runs.map((v, i) => (
          <li key={i}>
            <span className="swatch" style={{ background: colours[i] }} aria-hidden="true" />
            <span>{runLabel(v)}</span>
            <button
              type="button"
              className="small"
              disabled={locked || setup.runs.length <= 1}
              onClick={() => update((s) => ({ ...s, runs: s.runs.filter((_, j) => j !== i) }))}
              aria-label={`Remove run ${runLabel(v)}`}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      {!locked ? (
        <details className="add-run">
          <summary>Add a run</summary>
          <SelectField<RunMode>
            label="Mode"
            testId="add-mode"
            help={settingById('mode').help}
            value={mode}
            options={[...RUN_MODES]}
            hint={
              mode === 'sexual' || mode === 'asexual' ? undefined : 'a baseline: prunes to exactly ρ each generation'
            }
            onChange={setMode}
          />
          {mode === 'sexual' ? (
            <div className="row2">
              <SliderField
                label="α"
                value={alpha}
                {...weightRange}
                help={settingById('alphaCluster').help}
                onChange={setAlpha}
              />
              <SliderField
                label="β"
                value={beta}
                {...weightRange}
                help={settingById('betaCluster').help}
                onChange={setBeta}
              />
            </div>
          ) : null}
          <SliderField label="ρ" value={rho} {...rhoRange} help={settingById('rho').help} onChange={setRho} />
          <button type="button" onClick={add} data-testid="add-run">
            Add this run
          </button>
        </details>
      ) : null}
    </fieldset>
  );
}
