/**
 * "Try it": draw a digit (MNIST) or pick a test image, and the ancestor and each run's newest
 * network classify it, in a Worker, with their probabilities and synapse counts side by side:
 * the compact network still recognises the digit, or shows where it starts to fail.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { NetworkClassification } from '../../worker/protocol';
import { createClassifier, tryItNetworks } from '../classifier';
import { inkFromRgba, mnistDigit } from '../digit';
import { useLab } from '../store';
import { MetricExplain } from './explain';
import { knownDataShape } from '../../experiment/datasets';

const classifier = createClassifier((on) => {
  const w = new Worker(new URL('../../worker/classify.worker.ts', import.meta.url), {
    type: 'module',
    name: 'evolab try it',
  });
  w.onmessage = (e) => on(e.data);
  return { post: (cmd) => w.postMessage(cmd) };
});

const PAD = 280;

interface Input {
  image: Float32Array;
  shape: { height: number; width: number; channels: number };
  /** What it is: drawn here, or test image n with its label. */
  from: { kind: 'drawn' } | { kind: 'test'; index: number; count: number; label: number };
}

export function TryIt() {
  const dataset = useLab((s) => s.setup.dataset);
  const dropped = useLab((s) => s.data.dropped);
  const folder = useLab((s) => s.data.folder);
  const netState = useLab(
    useShallow((s) => ({
      sessionId: s.sessionId,
      ancestorStored: s.ancestorStored,
      shippedAncestor: s.shippedAncestor,
      ancestor: s.setup.ancestor,
      dataset: s.setup.dataset,
      // Only what names a network: a run's progress does not ask again.
      runKey: s.runs.map((r) => `${r.id}@${r.storedGeneration}`).join(','),
    })),
  );
  const runs = useLab((s) => s.runs);
  const networks = useMemo(
    () =>
      tryItNetworks(
        { ...netState, runs, setup: { ancestor: netState.ancestor, dataset: netState.dataset } },
        location.origin,
      ),
    // runs is read through runKey: a new run or generation, not every progress message.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [netState],
  );
  const [input, setInput] = useState<Input | null>(null);
  // The newest answer, with what it answered: busy while it is not for the current input and networks.
  const [answer, setAnswer] = useState<{
    input: Input;
    networks: unknown;
    results: NetworkClassification[];
    problems: { id: string; message: string }[];
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [testIndex, setTestIndex] = useState(0);
  // A registered dataset's names are known; a dropped folder's come with its first test image.
  const [shownNames, setShownNames] = useState<readonly string[]>([]);
  const classNames =
    dataset === 'mnist'
      ? Array.from({ length: 10 }, (_, i) => String(i))
      : (knownDataShape(dataset)?.classNames ?? shownNames);

  // Forget the input of the other dataset.
  const [inputDataset, setInputDataset] = useState(dataset);
  if (inputDataset !== dataset) {
    setInputDataset(dataset);
    setInput(null);
  }
  const fresh = answer && answer.input === input ? answer : null;
  const results = fresh?.results ?? [];
  const problems = fresh?.problems ?? [];
  const busy = !!input && (!answer || answer.input !== input || answer.networks !== networks);

  useEffect(() => {
    if (!input) return;
    const list = [...(networks.ancestor ? [networks.ancestor] : []), ...networks.runs.map((r) => r.network)];
    if (!list.length) return;
    let current = true;
    classifier
      .classify(input.image, input.shape, list)
      .then((a) => {
        if (!current) return;
        setAnswer({ input, networks, results: a.results, problems: a.problems });
        setError(null);
      })
      .catch((e: Error) => current && setError(e.message));
    return () => {
      current = false;
    };
  }, [input, networks]);

  const showTest = (index: number) => {
    setTestIndex(index);
    classifier
      .testImage(dataset, { baseUrl: new URL('/data/', location.origin).href, files: dropped, folder }, index)
      .then((t) => {
        setTestIndex(t.index);
        setShownNames(t.classNames);
        setInput({
          image: t.image,
          shape: t.shape,
          from: { kind: 'test', index: t.index, count: t.count, label: t.label },
        });
      })
      .catch((e: Error) => setError(`Could not read the test images: ${e.message}`));
  };

  const labelOf = (id: string) =>
    id === 'ancestor' ? 'Ancestor' : (networks.runs.find((r) => r.network.id === id)?.label ?? id);
  const colourOf = (id: string) => networks.runs.find((r) => r.network.id === id)?.colour ?? '#444';
  const ancestorSynapses = results.find((r) => r.id === 'ancestor')?.synapses ?? null;

  return (
    <section className="teach-section try-it" aria-labelledby="try-it-title" data-testid="try-it">
      <h2 id="try-it-title">Try it: does the compact network still recognise it?</h2>
      <p>
        {dataset === 'mnist' ? 'Draw a digit, or pick' : 'Pick'} one of the test images: the ancestor and each run’s
        newest network (its most accurate) classify it, in a Worker, from the networks this page has stored.
      </p>
      <div className="try-it-grid">
        <div className="try-it-input">
          {dataset === 'mnist' ? (
            <DrawPad
              onDigit={(image) =>
                setInput(
                  image ? { image, shape: { height: 28, width: 28, channels: 1 }, from: { kind: 'drawn' } } : null,
                )
              }
            />
          ) : null}
          <div className="test-picker">
            <label>
              Test image{' '}
              <input
                type="number"
                min={0}
                value={testIndex}
                data-testid="try-test-index"
                onChange={(e) => setTestIndex(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
              />
            </label>
            <button type="button" className="small" data-testid="try-test-show" onClick={() => showTest(testIndex)}>
              Show
            </button>
            <button type="button" className="small" onClick={() => showTest(testIndex + 1)}>
              Next
            </button>
            <button type="button" className="small" onClick={() => showTest(Math.floor(Math.random() * 10_000))}>
              Random
            </button>
          </div>
          {input ? (
            <div className="try-it-seen">
              <InputPreview input={input} />
              <p className="muted" data-testid="try-input">
                {input.from.kind === 'drawn'
                  ? 'What the networks see: your drawing, scaled to fit 20×20 and centred in 28×28 as MNIST’s digits are.'
                  : `Test image ${input.from.index} of ${input.from.count}, labelled “${classNames[input.from.label]}”.`}
              </p>
            </div>
          ) : null}
        </div>
        <div className="try-it-results" aria-live="polite">
          {networks.noAncestor && !networks.runs.length ? <p className="muted">{networks.noAncestor}</p> : null}
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          {!input ? (
            <p className="muted">{dataset === 'mnist' ? 'Draw a digit or show a test image.' : 'Show a test image.'}</p>
          ) : (
            <table data-testid="try-results" aria-busy={busy}>
              <caption>How each network classifies it</caption>
              <thead>
                <tr>
                  <th scope="col">Network</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Probabilities</th>
                  <th scope="col">
                    Synapses <MetricExplain metric="synapses" />
                  </th>
                </tr>
              </thead>
              <tbody>
                {results.map((r) => {
                  const p = r.probabilities[r.predicted];
                  return (
                    <tr
                      key={r.id}
                      data-network={r.id === 'ancestor' ? 'ancestor' : labelOf(r.id)}
                      data-predicted={r.predicted}
                      data-probability={p}
                      data-synapses={r.synapses}
                    >
                      <th scope="row">
                        <span className="swatch" style={{ background: colourOf(r.id) }} aria-hidden="true" />{' '}
                        {labelOf(r.id)}
                        <div className="muted">
                          generation {r.generation}
                          {r.testAccuracy !== null ? ` · ${(100 * r.testAccuracy).toFixed(1)} % on the test set` : ''}
                        </div>
                      </th>
                      <td className="try-answer">
                        <strong>{classNames[r.predicted]}</strong> ({(100 * p).toFixed(1)} %)
                      </td>
                      <td>
                        <ProbabilityBars probabilities={r.probabilities} names={classNames} colour={colourOf(r.id)} />
                      </td>
                      <td>
                        {r.synapses.toLocaleString('en')}
                        {ancestorSynapses && r.id !== 'ancestor' ? (
                          <div className="muted">{(ancestorSynapses / r.synapses).toFixed(1)}× fewer</div>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {problems.map((p) => (
            <p key={p.id} className="muted">
              {labelOf(p.id)}: {p.message}
            </p>
          ))}
        </div>
      </div>
    </section>
  );
}

/** A 280×280 pad: dark ink on white, by mouse, pen or touch; the digit is read when a stroke ends. */
function DrawPad({ onDigit }: { onDigit: (image: Float32Array | null) => void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawing = useRef<{ x: number; y: number } | null>(null);
  useEffect(() => clearPad(ref.current), []);
  const ctx = () => ref.current?.getContext('2d', { willReadFrequently: true }) ?? null;
  const at = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * PAD) / r.width, y: ((e.clientY - r.top) * PAD) / r.height };
  };
  const line = (from: { x: number; y: number }, to: { x: number; y: number }) => {
    const c = ctx();
    if (!c) return;
    c.strokeStyle = '#000';
    c.lineWidth = 22;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
  };
  const finish = () => {
    if (!drawing.current) return;
    drawing.current = null;
    const c = ctx();
    if (!c) return;
    const { data } = c.getImageData(0, 0, PAD, PAD);
    onDigit(mnistDigit(inkFromRgba(data, PAD, PAD), PAD, PAD));
  };
  return (
    <div className="draw-pad">
      <canvas
        ref={ref}
        width={PAD}
        height={PAD}
        data-testid="draw-pad"
        aria-label="Drawing pad: draw a digit with the mouse, a pen or a finger (keyboard users: show a test image instead)"
        role="img"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          drawing.current = at(e);
          line(drawing.current, drawing.current);
        }}
        onPointerMove={(e) => {
          if (!drawing.current) return;
          const p = at(e);
          line(drawing.current, p);
          drawing.current = p;
        }}
        onPointerUp={finish}
        onPointerCancel={finish}
      />
      <button
        type="button"
        className="small"
        data-testid="draw-clear"
        onClick={() => {
          clearPad(ref.current);
          onDigit(null);
        }}
      >
        Clear
      </button>
    </div>
  );
}

/** White paper all over. */
function clearPad(canvas: HTMLCanvasElement | null) {
  const c = canvas?.getContext('2d', { willReadFrequently: true });
  if (!c) return;
  c.fillStyle = '#fff';
  c.fillRect(0, 0, PAD, PAD);
}

function InputPreview({ input }: { input: Input }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { height, width, channels } = input.shape;
  useEffect(() => {
    const c = ref.current?.getContext('2d');
    if (!c) return;
    const img = c.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      for (let ch = 0; ch < 3; ch++) {
        const v = input.image[i * channels + (channels === 3 ? ch : 0)];
        // MNIST: ink (1) drawn dark on light, as on the pad; colour images as they are.
        img.data[4 * i + ch] = Math.round(255 * (channels === 1 ? 1 - v : v));
      }
      img.data[4 * i + 3] = 255;
    }
    c.putImageData(img, 0, 0);
  }, [input, height, width, channels]);
  const scale = 4;
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      className="input-preview"
      style={{ width: width * scale, height: height * scale }}
      role="img"
      aria-label={`The ${width}×${height} image the networks see`}
      data-testid="try-preview"
    />
  );
}

function ProbabilityBars({
  probabilities,
  names,
  colour,
}: {
  probabilities: number[];
  names: readonly string[];
  colour: string;
}) {
  const top = probabilities
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p - a.p)
    .slice(0, 3)
    .map((x) => `${names[x.i]} ${(100 * x.p).toFixed(1)} %`)
    .join(', ');
  const w = 14;
  const h = 40;
  return (
    <svg
      width={probabilities.length * w}
      height={h + 14}
      role="img"
      aria-label={`Probabilities, most likely first: ${top}`}
      className="probability-bars"
    >
      {probabilities.map((p, i) => (
        <g key={i}>
          <rect x={i * w + 1} y={h - p * h} width={w - 2} height={Math.max(0.5, p * h)} fill={colour} />
          <text x={i * w + w / 2} y={h + 12} textAnchor="middle" fontSize={10} fill="#222">
            {names[i].slice(0, 2)}
          </text>
        </g>
      ))}
    </svg>
  );
}
