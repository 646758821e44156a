/**
 * Kernel-mask heatmaps (canvas): for each run, every kernel of every filter of each evolved
 * layer, alive or dead, at the generation chosen with the scrubber; kernels that died in that
 * generation (alive in a parent) are highlighted.
 */
import { memo, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { NetworkRecord } from '../../experiment/records';
import {
  ALIVE,
  countStates,
  DIED,
  kernelAt,
  kernelStates,
  clampCursor,
  layoutHeatmap,
  moveCursor,
  NARROW_HEATMAP,
  parentRecords,
  PRESENTER_HEATMAP,
  SCREEN_HEATMAP,
  flagIndex,
  type HeatmapLayout,
  type KernelCursor,
} from '../heatmap';
import { bestPerGeneration } from '../series';
import { useLab } from '../store';
import { useStaggered } from './hooks';

const COLOURS = { alive: '#12263f', dead: '#e4e7eb', died: '#ff8c00' };
const RGB = { alive: [0x12, 0x26, 0x3f], dead: [0xe4, 0xe7, 0xeb], died: [0xff, 0x8c, 0x00] } as const;

export function Heatmaps() {
  // Redrawn after the charts, in its own short task (see Charts.tsx).
  const records = useStaggered(useLab(useShallow((s) => s.runs.map((r) => r.records))), 400);
  const ids = useLab(useShallow((s) => s.runs.map((r) => r.id)));
  const labels = useLab(useShallow((s) => s.runs.map((r) => r.label)));
  const colours = useLab(useShallow((s) => s.runs.map((r) => r.colour)));
  const chosen = useLab((s) => s.view.generation);
  const maxGen = Math.max(0, ...records.flatMap((rs) => rs.map((r) => r.generation)));
  const shown = chosen === null ? maxGen : Math.min(chosen, maxGen);
  const setGeneration = (g: number | null) => useLab.setState((s) => ({ view: { ...s.view, generation: g } }));

  return (
    <section className="heatmaps" aria-labelledby="heatmaps-title">
      <div className="section-head">
        <h2 id="heatmaps-title">Kernel masks</h2>
        <ul className="legend" aria-label="Heatmap legend">
          <li>
            <span className="swatch" style={{ background: COLOURS.alive }} aria-hidden="true" /> alive
          </li>
          <li>
            <span
              className="swatch"
              style={{ background: COLOURS.died, outline: '1px solid #999' }}
              aria-hidden="true"
            />{' '}
            died in this generation
          </li>
          <li>
            <span
              className="swatch"
              style={{ background: COLOURS.dead, outline: '1px solid #999' }}
              aria-hidden="true"
            />{' '}
            dead earlier
          </li>
        </ul>
      </div>
      {maxGen === 0 ? (
        <p className="muted">
          Each layer appears here as a grid once a generation has finished: one column per filter (cluster), one row per
          kernel (input channel); fc1 is 64 filters of 64 kernels of 4×4.
        </p>
      ) : (
        <>
          <div className="scrubber">
            <label htmlFor="gen-scrubber">Generation</label>
            <input
              id="gen-scrubber"
              data-testid="gen-scrubber"
              type="range"
              min={1}
              max={maxGen}
              step={1}
              value={shown}
              onChange={(e) => setGeneration(Number(e.target.value) >= maxGen ? null : Number(e.target.value))}
            />
            <output htmlFor="gen-scrubber" data-testid="gen-shown">
              {shown} of {maxGen}
            </output>
            <label className="check">
              <input
                type="checkbox"
                checked={chosen === null}
                onChange={(e) => setGeneration(e.target.checked ? null : shown)}
              />
              Follow the newest
            </label>
          </div>
          {ids.map((id, i) => (
            <RunHeatmap
              key={id}
              id={id}
              label={labels[i]}
              colour={colours[i]}
              records={records[i] ?? []}
              generation={shown}
            />
          ))}
        </>
      )}
    </section>
  );
}

const RunHeatmap = memo(function RunHeatmap({
  id,
  label,
  colour,
  records,
  generation,
}: {
  id: string;
  label: string;
  colour: string;
  records: NetworkRecord[];
  generation: number;
}) {
  const picked = useLab((s) => s.view.individual[id]);
  // A run behind the others shows its newest generation up to the chosen one.
  const available = Math.max(0, ...records.filter((r) => r.generation <= generation).map((r) => r.generation));
  const inGeneration = records.filter((r) => r.generation === available);
  const best = bestPerGeneration(inGeneration)[0];
  const record = inGeneration.find((r) => r.individual === picked) ?? best;
  const present = useLab((s) => s.view.present);
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(900);
  const [hover, setHover] = useState<string>('');
  /** The keyboard's kernel (arrows move it); shown as an outline while the map has focus. */
  const [cursor, setCursor] = useState<KernelCursor>({ box: 0, filter: 0, kernel: 0 });
  const [focused, setFocused] = useState(false);
  const hintId = useId();

  useLayoutEffect(() => {
    const el = boxRef.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => setWidth(Math.max(240, Math.floor(entry.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const layers = useMemo(() => {
    if (!record) return [];
    const parents = parentRecords(record, records);
    return record.kernelMasks.map((mask) => {
      const parentMasks = parents.map((p) => p.kernelMasks.find((m) => m.layer === mask.layer)).filter((m) => !!m);
      return { mask, states: kernelStates(mask, parentMasks) };
    });
  }, [record, records]);
  const layout = useMemo<HeatmapLayout>(
    () =>
      layoutHeatmap(
        layers.map((l) => ({ layer: l.mask.layer, filters: l.mask.filters, inChannels: l.mask.inChannels })),
        width,
        present ? PRESENTER_HEATMAP : width < 600 ? NARROW_HEATMAP : SCREEN_HEATMAP,
      ),
    [layers, width, present],
  );
  const totals = useMemo(
    () =>
      layers
        .map((l) => countStates(l.states))
        .reduce((a, c) => ({ alive: a.alive + c.alive, dead: a.dead + c.dead, died: a.died + c.died }), {
          alive: 0,
          dead: 0,
          died: 0,
        }),
    [layers],
  );

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !layers.length) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.ceil(layout.width * dpr);
    canvas.height = Math.ceil(layout.height * dpr);
    canvas.style.width = `${layout.width}px`;
    canvas.style.height = `${layout.height}px`;
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, layout.width, layout.height);
    // One pixel per kernel in an ImageData, scaled up without smoothing: a few calls per layer
    // instead of one fillRect per kernel, so drawing 7,200 kernels per run stays cheap.
    ctx.imageSmoothingEnabled = false;
    const scratch = document.createElement('canvas');
    layers.forEach((l, i) => {
      const box = layout.boxes[i];
      const c = countStates(l.states);
      ctx.fillStyle = '#111';
      const size = layout.fontSize;
      ctx.font = `bold ${size}px system-ui, sans-serif`;
      ctx.fillText(`${l.mask.layer}  ${l.mask.filters}×${l.mask.inChannels}`, box.x, box.y - 1.6 * size);
      ctx.font = `${size - 1}px system-ui, sans-serif`;
      ctx.fillText(`${c.alive} alive${c.died ? ` · ${c.died} died` : ''}`, box.x, box.y - 0.45 * size);
      scratch.width = l.mask.filters;
      scratch.height = l.mask.inChannels;
      const sctx = scratch.getContext('2d')!;
      const image = sctx.createImageData(l.mask.filters, l.mask.inChannels);
      for (let f = 0; f < l.mask.filters; f++) {
        for (let k = 0; k < l.mask.inChannels; k++) {
          const s = l.states[flagIndex(l.mask.inChannels, f, k)];
          const rgb = s === ALIVE ? RGB.alive : s === DIED ? RGB.died : RGB.dead;
          const o = 4 * (k * l.mask.filters + f);
          image.data[o] = rgb[0];
          image.data[o + 1] = rgb[1];
          image.data[o + 2] = rgb[2];
          image.data[o + 3] = 255;
        }
      }
      sctx.putImageData(image, 0, 0);
      ctx.drawImage(scratch, box.x, box.y, box.width, box.height);
      // White lines between cells when cells are big enough to tell apart.
      if (box.cellWidth >= 5) {
        ctx.strokeStyle = '#fff';
        ctx.lineWidth = 1;
        ctx.beginPath();
        for (let f = 1; f < l.mask.filters; f++) {
          ctx.moveTo(box.x + f * box.cellWidth - 0.5, box.y);
          ctx.lineTo(box.x + f * box.cellWidth - 0.5, box.y + box.height);
        }
        for (let k = 1; k < l.mask.inChannels; k++) {
          ctx.moveTo(box.x, box.y + k * box.cellHeight - 0.5);
          ctx.lineTo(box.x + box.width, box.y + k * box.cellHeight - 0.5);
        }
        ctx.stroke();
      }
    });
  }, [layers, layout]);

  const describeKernel = (at: { layer: string; filter: number; kernel: number }) => {
    const l = layers.find((x) => x.mask.layer === at.layer);
    if (!l) return '';
    const s = l.states[flagIndex(l.mask.inChannels, at.filter, at.kernel)];
    return `${at.layer}: filter ${at.filter + 1} of ${l.mask.filters}, kernel ${at.kernel + 1} of ${l.mask.inChannels}: ${s === ALIVE ? 'alive' : s === DIED ? 'died in this generation' : 'dead'}`;
  };
  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const at = kernelAt(layout, e.clientX - rect.left, e.clientY - rect.top);
    setHover(at ? describeKernel(at) : '');
  };
  // The layout may change (another width, generation or mode): keep the cursor on its grid.
  const at = clampCursor(layout, cursor);
  const atBox = at ? layout.boxes[at.box] : undefined;
  const onKeyDown = (e: React.KeyboardEvent<HTMLCanvasElement>) => {
    if (!at) return;
    const next = moveCursor(layout, at, e.key);
    if (!next) return;
    e.preventDefault();
    setCursor(next);
    setHover(describeKernel({ layer: layout.boxes[next.box].layer, ...next }));
  };

  return (
    <div className="card heatmap-card" style={{ borderLeftColor: colour }}>
      <div className="heatmap-head">
        <h3>
          <span className="swatch" style={{ background: colour }} aria-hidden="true" /> {label}
        </h3>
        {inGeneration.length > 1 ? (
          <label className="inline">
            Network{' '}
            <select
              value={record?.individual ?? 0}
              onChange={(e) =>
                useLab.setState((s) => ({
                  view: { ...s.view, individual: { ...s.view.individual, [id]: Number(e.target.value) } },
                }))
              }
            >
              {inGeneration.map((r) => (
                <option key={r.individual} value={r.individual}>
                  {r.individual + 1}
                  {r === best ? ' (most accurate)' : ''}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <span className="muted" aria-live="polite">
          {record
            ? `generation ${record.generation}${record.generation < generation ? ` (its newest)` : ''}: ${totals.alive} kernels alive, ${totals.died} died now, ${totals.dead} dead earlier`
            : `no network at generation ${generation} yet`}
        </span>
      </div>
      <div ref={boxRef} className="heatmap-box">
        {record && focused && at && atBox ? (
          <div
            className="kernel-cursor"
            aria-hidden="true"
            style={{
              left: atBox.x + at.filter * atBox.cellWidth - 2,
              top: atBox.y + at.kernel * atBox.cellHeight - 2,
              width: atBox.cellWidth + 4,
              height: atBox.cellHeight + 4,
            }}
          />
        ) : null}
        {record ? (
          <canvas
            ref={canvasRef}
            data-testid="heatmap"
            data-run={label}
            data-generation={record.generation}
            data-alive={totals.alive}
            data-dead={totals.dead}
            data-died={totals.died}
            data-cell={layout.cell}
            data-min-grid-height={Math.min(...layout.boxes.map((b) => b.height))}
            tabIndex={0}
            role="application"
            aria-label={`Kernel masks of ${label}, generation ${record.generation}: ${totals.alive} alive, ${totals.died} died in this generation, ${totals.dead} dead earlier`}
            aria-describedby={hintId}
            onMouseMove={onMove}
            onMouseLeave={() => setHover('')}
            onKeyDown={onKeyDown}
            onFocus={() => {
              setFocused(true);
              if (at && atBox) setHover(describeKernel({ layer: atBox.layer, ...at }));
            }}
            onBlur={() => {
              setFocused(false);
              setHover('');
            }}
          />
        ) : null}
      </div>
      <p id={hintId} className="key-hint">
        Arrow keys: from kernel to kernel · Page Up, Page Down: another layer
      </p>
      <div className="hover-readout muted" data-testid="heatmap-readout" aria-live="polite">
        {hover || '\u00a0'}
      </div>
    </div>
  );
});
