/**
 * The setup form: each setting a field of the settings table, in the groups below; the lab-only
 * choices (the ancestor's source, linked mating weights, the runs to compare) written out here.
 * Pure: it reads and changes the setup through the SetupContext around it.
 */
import { useState } from 'react';
import { labSubsets, type AncestorMeta } from '../../experiment/ancestor';
import type { DatasetName } from '../../experiment/config';
import { settingById, type LabSettingId } from '../../experiment/settings-table';
import { runColours, runLabel, type LabSetup, type MatingSliders, type RunMode, type RunVariant } from '../setup';
import { SelectField, SliderField } from './fields';
import { SettingField, SettingFields, useSetupBinding } from './setting-field';

/** The environment's settings, in order; advanced ones go under its "Advanced". */
export const ENVIRONMENT_FIELDS: readonly LabSettingId[] = ['rho', 'budgetMode', 'clusterFactor'];
/** Under the mating weights' "Advanced", after the separate-levels switch. */
export const MATING_ADVANCED_FIELDS: readonly LabSettingId[] = ['batchSize'];

export interface ShippedAncestor {
  shipped: 'unknown' | 'present' | 'absent';
  meta: AncestorMeta | null;
}

export function SetupForm({ shipped, meta }: ShippedAncestor) {
  const { setup, update, locked, running } = useSetupBinding();
  const m = setup.mating;
  const setMating = (s: LabSetup, patch: Partial<MatingSliders>): LabSetup => ({
    ...s,
    mating: { ...s.mating, ...patch },
  });

  return (
    <section className="panel controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Setup</h2>
      {locked ? (
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
          onChange={(s, v: number) =>
            setMating(s, s.mating.linked ? { alphaCluster: v, alphaSynapse: v } : { alphaCluster: v })
          }
        />
        <SettingField
          id="betaCluster"
          label={m.linked ? 'β (parent B)' : undefined}
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
            value={mode}
            options={[
              { value: 'sexual', label: 'sexual' },
              { value: 'asexual', label: 'asexual' },
            ]}
            onChange={setMode}
          />
          {mode === 'sexual' ? (
            <div className="row2">
              <SliderField label="α" value={alpha} {...weightRange} onChange={setAlpha} />
              <SliderField label="β" value={beta} {...weightRange} onChange={setBeta} />
            </div>
          ) : null}
          <SliderField label="ρ" value={rho} {...rhoRange} onChange={setRho} />
          <button type="button" onClick={add} data-testid="add-run">
            Add this run
          </button>
        </details>
      ) : null}
    </fieldset>
  );
}
