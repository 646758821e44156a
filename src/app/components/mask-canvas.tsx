/**
 * One layer's kernels as a small grid on a canvas: a column per filter (cluster), a row per
 * kernel (input channel), each cell coloured by a state. Labelled for screen readers by the caller.
 */
import { useEffect, useRef } from 'react';

/** Colours by state, as CSS hex (#rrggbb). */
export type Palette = readonly string[];

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

export function MaskCanvas({
  states,
  filters,
  inChannels,
  palette,
  maxWidth = 192,
  label,
  testId,
  data,
}: {
  /** Filter-major: state of (filter f, kernel k) at f·inChannels + k; an index into the palette. */
  states: Uint8Array;
  filters: number;
  inChannels: number;
  palette: Palette;
  maxWidth?: number;
  label: string;
  testId?: string;
  data?: Record<string, string | number>;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const cell = Math.max(2, Math.min(12, Math.floor(maxWidth / filters)));
  const width = filters * cell;
  const height = Math.max(1, inChannels) * cell;
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    // One pixel per kernel, scaled up without smoothing by CSS: cheap for 4,096 kernels.
    canvas.width = filters;
    canvas.height = inChannels;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(filters, inChannels);
    const colours = palette.map(rgb);
    for (let f = 0; f < filters; f++)
      for (let k = 0; k < inChannels; k++) {
        const c = colours[states[f * inChannels + k]] ?? colours[0];
        const o = 4 * (k * filters + f);
        image.data[o] = c[0];
        image.data[o + 1] = c[1];
        image.data[o + 2] = c[2];
        image.data[o + 3] = 255;
      }
    ctx.putImageData(image, 0, 0);
  }, [states, filters, inChannels, palette]);
  const dataAttrs = Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]));
  return (
    <canvas
      ref={ref}
      className="mask-canvas"
      style={{ width, height }}
      role="img"
      aria-label={label}
      data-testid={testId}
      {...dataAttrs}
    />
  );
}

/** Values in [0, 1] per filter as a row of bars (an SVG), e.g. cluster probabilities. */
export function FilterBars({
  values,
  colour,
  maxWidth = 192,
  height = 44,
  label,
  testId,
}: {
  values: ArrayLike<number>;
  colour: string;
  maxWidth?: number;
  height?: number;
  label: string;
  testId?: string;
}) {
  const n = values.length;
  const cell = Math.max(2, Math.min(12, Math.floor(maxWidth / n)));
  return (
    <svg
      className="filter-bars"
      width={n * cell}
      height={height}
      viewBox={`0 0 ${n * cell} ${height}`}
      role="img"
      aria-label={label}
      data-testid={testId}
    >
      <rect x={0} y={0} width={n * cell} height={height} fill="#f4f5f7" />
      {Array.from(values, (v, f) => {
        const h = Math.max(0, Math.min(1, v)) * (height - 2);
        return <rect key={f} x={f * cell} y={height - h} width={Math.max(1, cell - 1)} height={h} fill={colour} />;
      })}
    </svg>
  );
}
