/** The controls panel: dataset and run sizes, the environment (ρ), mating weights, runs to compare. */
import { useState } from 'react';
import type { BackendPreference, DatasetName } from '../../experiment/config';
import { labSubsets } from '../../experiment/ancestor';
import { setupLocked, updateSetup } from '../lab';
import { runColours, runLabel, type BudgetMode, type LabSetup, type RunMode, type RunVariant } from '../setup';
import { useLab } from '../store';
import { IntegerField, SelectField, SliderField } from './fields';

export function Controls() {
  const setup = useLab((s) => s.setup);
  const locked = useLab((s) => setupLocked(s));
  const shipped = useLab((s) => s.shippedAncestor);
  const meta = useLab((s) => s.shippedMeta);
  const running = useLab((s) =>
    s.runs.some((r) => r.status === 'running' || r.status === 'paused' || r.status === 'stopping'),
  );
  const set = (patch: Partial<LabSetup>) => updateSetup((s) => ({ ...s, ...patch }));
  const setMating = (patch: Partial<LabSetup['mating']>) =>
    updateSetup((s) => ({ ...s, mating: { ...s.mating, ...patch } }));
  const m = setup.mating;
  const liveHint = running ? 'applies from the next generation' : undefined;

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
        <SelectField<DatasetName>
          label="Dataset"
          testId="dataset"
          value={setup.dataset}
          disabled={locked}
          options={[
            { value: 'mnist', label: 'MNIST (digits, 1 channel)' },
            { value: 'cifar10', label: 'CIFAR-10 (objects, 3 channels)' },
          ]}
          onChange={(dataset) => updateSetup((s) => ({ ...s, dataset, trainSubset: labSubsets(dataset).trainSubset }))}
        />
        <div className="row2">
          <IntegerField
            label="Training images"
            testId="train-subset"
            value={setup.trainSubset}
            min={10}
            max={60000}
            allowAll
            disabled={locked}
            onChange={(v) => set({ trainSubset: v })}
          />
          <IntegerField
            label="Test images"
            testId="test-subset"
            value={setup.testSubset}
            min={10}
            max={10000}
            allowAll
            disabled={locked}
            onChange={(v) => set({ testSubset: v })}
          />
        </div>
        <div className="row2">
          <IntegerField
            label="Generations"
            testId="generations"
            value={setup.generations}
            min={1}
            max={200}
            hint={running ? 'can grow during a run' : 'generation 1 is the ancestor'}
            onChange={(v) => set({ generations: v ?? 1 })}
          />
          <IntegerField
            label="Epochs per generation"
            testId="epochs"
            value={setup.epochsPerGeneration}
            min={0}
            max={1000}
            hint={liveHint}
            onChange={(v) => set({ epochsPerGeneration: v ?? 0 })}
          />
        </div>
        <div className="row2">
          <IntegerField
            label="Population (sexual)"
            testId="population"
            value={setup.population}
            min={2}
            max={8}
            disabled={locked}
            hint="networks per generation"
            onChange={(v) => set({ population: v ?? 2 })}
          />
          <IntegerField
            label="Seed"
            testId="seed"
            value={setup.seed}
            min={0}
            max={4294967295}
            disabled={locked}
            onChange={(v) => set({ seed: v ?? 0 })}
          />
        </div>
        <SelectField<BackendPreference>
          label="Compute backend"
          testId="backend"
          value={setup.backend}
          disabled={locked}
          options={[
            { value: 'auto', label: 'auto: the fastest here' },
            { value: 'wasm', label: 'wasm (CPU, SIMD)' },
            { value: 'webgpu', label: 'WebGPU' },
            { value: 'webgl', label: 'WebGL' },
            { value: 'cpu', label: 'cpu (slow)' },
          ]}
          hint={setup.backend === 'auto' ? 'WebGPU on a real GPU, else wasm' : undefined}
          onChange={(backend) => set({ backend })}
        />
        <div className="row2">
          <SelectField<'shipped' | 'train'>
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
                : shipped === 'absent'
                  ? 'none shipped: trained here'
                  : meta
                    ? `${meta.trainSubset ?? 'all'} images, ${meta.ancestorEpochs} epochs, seed ${meta.seed}: ${(100 * meta.testAccuracy).toFixed(1)} %`
                    : undefined
            }
            onChange={(ancestor) => set({ ancestor })}
          />
          <IntegerField
            label="Ancestor epochs"
            testId="ancestor-epochs"
            value={setup.ancestorEpochs}
            min={0}
            max={1000}
            disabled={locked}
            onChange={(v) => set({ ancestorEpochs: v ?? 0 })}
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>Environment</legend>
        <SliderField
          label="Synapse budget ρ"
          testId="rho"
          value={setup.rho}
          min={0.05}
          max={1}
          step={0.05}
          hint={liveHint ?? 'share of the parents’ synapses an offspring may keep'}
          onChange={(rho) => set({ rho })}
        />
        <SelectField<BudgetMode>
          label="Budget mode"
          testId="budget-mode"
          value={setup.budgetMode}
          options={[
            { value: 'cap', label: 'cap: at most ρ (expected)' },
            { value: 'target', label: 'target: exactly ρ (expected)' },
            { value: 'constant', label: 'constant: every probability × ρ' },
          ]}
          hint={liveHint}
          onChange={(budgetMode) => set({ budgetMode })}
        />
      </fieldset>

      <fieldset>
        <legend>Mating weights (sexual runs)</legend>
        <SliderField
          label={m.linked ? 'α (parent A)' : 'α cluster level'}
          testId="alpha"
          value={m.alphaCluster}
          min={0}
          max={1}
          step={0.05}
          hint={liveHint}
          onChange={(v) => setMating(m.linked ? { alphaCluster: v, alphaSynapse: v } : { alphaCluster: v })}
        />
        <SliderField
          label={m.linked ? 'β (parent B)' : 'β cluster level'}
          testId="beta"
          value={m.betaCluster}
          min={0}
          max={1}
          step={0.05}
          onChange={(v) => setMating(m.linked ? { betaCluster: v, betaSynapse: v } : { betaCluster: v })}
        />
        <details className="advanced">
          <summary>Advanced</summary>
          <label className="check">
            <input
              type="checkbox"
              data-testid="separate-levels"
              checked={!m.linked}
              onChange={(e) =>
                setMating(
                  e.target.checked
                    ? { linked: false }
                    : { linked: true, alphaSynapse: m.alphaCluster, betaSynapse: m.betaCluster },
                )
              }
            />
            Separate cluster- and synapse-level weights
          </label>
          {!m.linked ? (
            <>
              <SliderField
                label="α synapse level"
                testId="alpha-s"
                value={m.alphaSynapse}
                min={0}
                max={1}
                step={0.05}
                onChange={(v) => setMating({ alphaSynapse: v })}
              />
              <SliderField
                label="β synapse level"
                testId="beta-s"
                value={m.betaSynapse}
                min={0}
                max={1}
                step={0.05}
                onChange={(v) => setMating({ betaSynapse: v })}
              />
            </>
          ) : null}
          <IntegerField
            label="Batch size"
            testId="batch-size"
            value={setup.batchSize}
            min={1}
            max={4096}
            disabled={locked}
            onChange={(v) => set({ batchSize: v ?? 64 })}
          />
        </details>
      </fieldset>

      <RunList setup={setup} locked={locked} />
    </section>
  );
}

function RunList({ setup, locked }: { setup: LabSetup; locked: boolean }) {
  const colours = runColours(setup.runs);
  const [mode, setMode] = useState<RunMode>('sexual');
  const [alpha, setAlpha] = useState(0.7);
  const [beta, setBeta] = useState(0.3);
  const [rho, setRho] = useState(setup.rho);
  const add = () => {
    const v: RunVariant = mode === 'sexual' ? { mode, alpha, beta, rho } : { mode, rho };
    updateSetup((s) => ({ ...s, runs: [...s.runs, v] }));
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
              onClick={() => updateSetup((s) => ({ ...s, runs: s.runs.filter((_, j) => j !== i) }))}
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
              <SliderField label="α" value={alpha} min={0} max={1} step={0.05} onChange={setAlpha} />
              <SliderField label="β" value={beta} min={0} max={1} step={0.05} onChange={setBeta} />
            </div>
          ) : null}
          <SliderField label="ρ" value={rho} min={0.05} max={1} step={0.05} onChange={setRho} />
          <button type="button" onClick={add} data-testid="add-run">
            Add this run
          </button>
        </details>
      ) : null}
    </fieldset>
  );
}
